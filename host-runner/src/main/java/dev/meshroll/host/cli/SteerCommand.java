package dev.meshroll.host.cli;

import dev.meshroll.proto.v1.PromoteRequest;
import dev.meshroll.proto.v1.Rollout;
import dev.meshroll.proto.v1.RolloutRef;
import dev.meshroll.proto.v1.RolloutsGrpc.RolloutsBlockingStub;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import java.util.function.BiFunction;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** The commands that steer one rollout: they need the host's token when it has one. */
abstract class SteerCommand implements Callable<Integer> {
  @Mixin HostOptions host;
  @Mixin RolloutName rollout;

  @Option(
      names = {"-o", "--output"},
      defaultValue = "text",
      description = "text, json or yaml.")
  Output output;

  @Spec CommandSpec command;

  abstract Rollout steer(RolloutsBlockingStub rollouts, RolloutRef ref);

  @Override
  public Integer call() {
    PrintWriter out = command.commandLine().getOut();
    PrintWriter err = command.commandLine().getErr();
    ManagedChannel channel = host.channel();
    try {
      Rollout after = steer(host.blocking(channel), rollout.ref());
      out.print(output == Output.text ? RolloutText.view(after) : output.format(after) + "\n");
      return 0;
    } catch (StatusRuntimeException e) {
      err.println(host.explain(e));
      return 1;
    } finally {
      out.flush();
      HostOptions.close(channel);
    }
  }

  private abstract static class Simple extends SteerCommand {
    private final BiFunction<RolloutsBlockingStub, RolloutRef, Rollout> call;

    Simple(BiFunction<RolloutsBlockingStub, RolloutRef, Rollout> call) {
      this.call = call;
    }

    @Override
    Rollout steer(RolloutsBlockingStub rollouts, RolloutRef ref) {
      return call.apply(rollouts, ref);
    }
  }

  @Command(
      name = "promote",
      description =
          "Ends the current pause, analysis or experiment; --full skips to the new version.")
  static final class Promote extends SteerCommand {
    @Option(names = "--full", description = "Skip every remaining step and analysis.")
    boolean full;

    @Override
    Rollout steer(RolloutsBlockingStub rollouts, RolloutRef ref) {
      return rollouts.promote(PromoteRequest.newBuilder().setRollout(ref).setFull(full).build());
    }
  }

  @Command(
      name = "abort",
      description = "Sends all traffic back to stable and releases the managed routes.")
  static final class Abort extends Simple {
    Abort() {
      super(RolloutsBlockingStub::abort);
    }
  }

  @Command(name = "retry", description = "Starts an aborted rollout again from its first step.")
  static final class Retry extends Simple {
    Retry() {
      super(RolloutsBlockingStub::retry);
    }
  }

  @Command(name = "pause", description = "Holds the rollout at its current step.")
  static final class Pause extends Simple {
    Pause() {
      super(RolloutsBlockingStub::pause);
    }
  }

  @Command(
      name = "resume",
      description = "Lifts an operator's pause, or goes on past an inconclusive analysis.")
  static final class Resume extends Simple {
    Resume() {
      super(RolloutsBlockingStub::resume);
    }
  }
}
