package dev.meshroll.host.control;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.Struct;
import com.google.protobuf.util.JsonFormat;
import dev.meshroll.api.RolloutRef;
import dev.meshroll.api.RouterException;
import dev.meshroll.host.engine.Command;
import dev.meshroll.host.run.Host;
import dev.meshroll.host.run.RolloutView;
import dev.meshroll.proto.v1.ListRequest;
import dev.meshroll.proto.v1.PromoteRequest;
import dev.meshroll.proto.v1.Rollout;
import dev.meshroll.proto.v1.RolloutList;
import dev.meshroll.proto.v1.RolloutsGrpc;
import dev.meshroll.proto.v1.RouterStatusRequest;
import dev.meshroll.proto.v1.RouterStatusResponse;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.util.Comparator;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/** The gRPC control API, over the host. */
final class ControlService extends RolloutsGrpc.RolloutsImplBase {
  /** How long a command may wait for its rollout's worker (a plugin call may hold it that long). */
  private static final long COMMAND_SECONDS = 60;

  private static final ObjectMapper TREES = new ObjectMapper();

  private final Host host;

  ControlService(Host host) {
    this.host = host;
  }

  RolloutList list() {
    RolloutList.Builder list = RolloutList.newBuilder();
    host.rollouts().stream()
        .sorted(Comparator.comparing((RolloutView view) -> view.ref().toString()))
        .forEach(view -> list.addRollouts(RolloutMessages.rollout(view)));
    host.fileProblems().forEach(problem -> list.addProblems(RolloutMessages.problem(problem)));
    return list.build();
  }

  Rollout get(RolloutRef ref) {
    return host.rollout(ref)
        .map(RolloutMessages::rollout)
        .orElseThrow(
            () -> Status.NOT_FOUND.withDescription("no rollout " + ref).asRuntimeException());
  }

  /**
   * Carries out a command and answers with the rollout after it, or a status saying why not.
   *
   * @param caller the name of the caller's token, for the rollout's history; "" when unnamed
   */
  Rollout command(RolloutRef ref, Command command, String caller) {
    try {
      return RolloutMessages.rollout(
          host.command(ref, command, caller).get(COMMAND_SECONDS, TimeUnit.SECONDS));
    } catch (ExecutionException | CompletionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof NoSuchElementException) {
        throw Status.NOT_FOUND.withDescription(cause.getMessage()).asRuntimeException();
      }
      if (cause instanceof IllegalStateException) {
        throw Status.FAILED_PRECONDITION.withDescription(cause.getMessage()).asRuntimeException();
      }
      throw Status.INTERNAL.withDescription(String.valueOf(cause)).asRuntimeException();
    } catch (TimeoutException e) {
      throw Status.DEADLINE_EXCEEDED
          .withDescription(
              ref + " is busy: its worker did not take the command within " + COMMAND_SECONDS + "s")
          .asRuntimeException();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw Status.CANCELLED.withDescription("the host is stopping").asRuntimeException();
    }
  }

  RouterStatusResponse routerStatus(String router) {
    Map<String, Object> status;
    try {
      status =
          host.routerStatus(router)
              .orElseThrow(
                  () ->
                      Status.NOT_FOUND
                          .withDescription("no router '" + router + "' is running")
                          .asRuntimeException());
    } catch (RouterException e) {
      throw Status.UNAVAILABLE.withDescription(e.getMessage()).asRuntimeException();
    }
    Struct.Builder struct = Struct.newBuilder();
    try {
      JsonFormat.parser().merge(TREES.writeValueAsString(status), struct);
    } catch (IOException e) {
      throw Status.INTERNAL
          .withDescription(router + ": its status is not a plain tree: " + e.getMessage())
          .asRuntimeException();
    }
    return RouterStatusResponse.newBuilder().setRouter(router).setStatus(struct).build();
  }

  // ---- gRPC

  @Override
  public void routerStatus(
      RouterStatusRequest request, StreamObserver<RouterStatusResponse> response) {
    answer(response, () -> routerStatus(request.getRouter()));
  }

  @Override
  public void list(ListRequest request, StreamObserver<RolloutList> response) {
    answer(response, this::list);
  }

  @Override
  public void get(dev.meshroll.proto.v1.RolloutRef request, StreamObserver<Rollout> response) {
    answer(response, () -> get(RolloutMessages.ref(request)));
  }

  @Override
  public void promote(PromoteRequest request, StreamObserver<Rollout> response) {
    Command command = request.getFull() ? Command.PROMOTE_FULL : Command.PROMOTE;
    String caller = Authorization.caller();
    answer(response, () -> command(RolloutMessages.ref(request.getRollout()), command, caller));
  }

  @Override
  public void abort(dev.meshroll.proto.v1.RolloutRef request, StreamObserver<Rollout> response) {
    String caller = Authorization.caller();
    answer(response, () -> command(RolloutMessages.ref(request), Command.ABORT, caller));
  }

  @Override
  public void retry(dev.meshroll.proto.v1.RolloutRef request, StreamObserver<Rollout> response) {
    String caller = Authorization.caller();
    answer(response, () -> command(RolloutMessages.ref(request), Command.RETRY, caller));
  }

  @Override
  public void pause(dev.meshroll.proto.v1.RolloutRef request, StreamObserver<Rollout> response) {
    String caller = Authorization.caller();
    answer(response, () -> command(RolloutMessages.ref(request), Command.PAUSE, caller));
  }

  @Override
  public void resume(dev.meshroll.proto.v1.RolloutRef request, StreamObserver<Rollout> response) {
    String caller = Authorization.caller();
    answer(response, () -> command(RolloutMessages.ref(request), Command.RESUME, caller));
  }

  @Override
  public void watch(dev.meshroll.proto.v1.RolloutRef request, StreamObserver<Rollout> response) {
    RolloutRef ref = RolloutMessages.ref(request);
    ServerCallStreamObserver<Rollout> stream = (ServerCallStreamObserver<Rollout>) response;
    Consumer<RolloutView> watcher =
        new Consumer<>() {
          private Rollout last;

          @Override
          public synchronized void accept(RolloutView view) {
            Rollout rollout = RolloutMessages.rollout(view);
            // Views are published on every decision; only changes reach the client.
            if (!rollout.equals(last) && !stream.isCancelled()) {
              last = rollout;
              stream.onNext(rollout);
            }
          }
        };
    stream.setOnCancelHandler(() -> host.unwatch(ref, watcher));
    if (!host.watch(ref, watcher)) {
      response.onError(Status.NOT_FOUND.withDescription("no rollout " + ref).asRuntimeException());
    }
  }

  private interface Answer<T> {
    T get();
  }

  private static <T> void answer(StreamObserver<T> response, Answer<T> answer) {
    try {
      response.onNext(answer.get());
      response.onCompleted();
    } catch (StatusRuntimeException e) {
      response.onError(e);
    }
  }
}
