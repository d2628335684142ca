package dev.meshroll.host.cli;

import dev.meshroll.proto.v1.ListRequest;
import dev.meshroll.proto.v1.Phase;
import dev.meshroll.proto.v1.Rollout;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import java.io.PrintWriter;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code meshroll get}: a table of all rollouts, one rollout, or a live view of one. */
@Command(
    name = "get",
    description = "Shows the host's rollouts, one rollout, or (--watch) a live view of one.")
final class GetCommand implements Callable<Integer> {
  @Mixin HostOptions host;

  @Parameters(
      index = "0",
      arity = "0..1",
      paramLabel = "NAME",
      description = "A rollout: NAME or NAMESPACE/NAME.")
  String name;

  @Option(
      names = {"-n", "--namespace"},
      defaultValue = "default",
      description = "The rollout's namespace.")
  String namespace;

  @Option(
      names = {"-w", "--watch"},
      description =
          "Redraw the rollout on every change; ends once it has ended and the fleet serves its"
              + " final traffic, or a router failed to (exit 0 Healthy, 1 Degraded or not"
              + " confirmed).")
  boolean watch;

  @Option(
      names = {"-o", "--output"},
      defaultValue = "text",
      description = "text, json or yaml.")
  Output output;

  @Spec CommandSpec command;

  @Override
  public Integer call() {
    PrintWriter out = command.commandLine().getOut();
    PrintWriter err = command.commandLine().getErr();
    if (watch && name == null) {
      err.println("--watch needs a rollout NAME");
      return 2;
    }
    ManagedChannel channel = host.channel();
    try {
      if (name == null) {
        var list = host.blocking(channel).list(ListRequest.getDefaultInstance());
        out.print(output == Output.text ? RolloutText.table(list) : output.format(list) + "\n");
        return 0;
      }
      RolloutName rollout = new RolloutName();
      rollout.name = name;
      rollout.namespace = namespace;
      if (watch) {
        return watch(channel, rollout.ref(), out);
      }
      Rollout found = host.blocking(channel).get(rollout.ref());
      out.print(output == Output.text ? RolloutText.view(found) : output.format(found) + "\n");
      return 0;
    } catch (StatusRuntimeException e) {
      err.println(host.explain(e));
      return 1;
    } finally {
      out.flush();
      HostOptions.close(channel);
    }
  }

  /**
   * The exit code of a watch that has seen {@code rollout}: empty while it goes on. An ended
   * rollout is watched until every router has confirmed its final traffic (a rollback is done when
   * the fleet serves stable) or one has failed to.
   */
  static Optional<Integer> ended(Rollout rollout) {
    boolean healthy = rollout.getPhase() == Phase.HEALTHY;
    if (!healthy && rollout.getPhase() != Phase.DEGRADED) {
      return Optional.empty();
    }
    boolean failed =
        rollout.getRoutersList().stream().anyMatch(router -> router.getState().equals("FAILED"));
    boolean converged =
        rollout.getConditionsList().stream()
            .anyMatch(
                condition ->
                    condition.getType().equals("RoutesConverged") && condition.getStatus());
    if (!failed && !converged) {
      return Optional.empty();
    }
    return Optional.of(healthy && !failed ? 0 : 1);
  }

  private int watch(ManagedChannel channel, dev.meshroll.proto.v1.RolloutRef ref, PrintWriter out) {
    boolean terminal = System.console() != null;
    CompletableFuture<Integer> ended = new CompletableFuture<>();
    host.async(channel)
        .watch(
            ref,
            new StreamObserver<>() {
              @Override
              public void onNext(Rollout rollout) {
                if (output != Output.text) {
                  out.println(output.format(rollout));
                } else {
                  // On a terminal the view is redrawn in place; piped, views follow each other.
                  out.print(
                      terminal
                          ? "\033[H\033[2J" + RolloutText.view(rollout)
                          : RolloutText.view(rollout) + "\n");
                }
                out.flush();
                ended(rollout).ifPresent(ended::complete);
              }

              @Override
              public void onError(Throwable error) {
                ended.completeExceptionally(error);
              }

              @Override
              public void onCompleted() {
                ended.complete(0);
              }
            });
    try {
      return ended.get();
    } catch (ExecutionException e) {
      if (e.getCause() instanceof StatusRuntimeException status) {
        throw status;
      }
      throw new IllegalStateException(e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return 1;
    }
  }
}
