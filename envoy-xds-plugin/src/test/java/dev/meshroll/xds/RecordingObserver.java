package dev.meshroll.xds;

import io.grpc.stub.ServerCallStreamObserver;
import java.util.ArrayList;
import java.util.List;

/**
 * A client that reads everything at once, in place of gRPC's side of a stream: tests drive a
 * stream's requests and snapshots themselves, on their own thread, and read what it wrote.
 */
final class RecordingObserver<A> extends ServerCallStreamObserver<A> {
  final List<A> written = new ArrayList<>();

  /** What was written since the last call, oldest first. */
  List<A> take() {
    List<A> taken = List.copyOf(written);
    written.clear();
    return taken;
  }

  @Override
  public void onNext(A response) {
    written.add(response);
  }

  @Override
  public boolean isReady() {
    return true;
  }

  @Override
  public boolean isCancelled() {
    return false;
  }

  @Override
  public void setOnCancelHandler(Runnable handler) {}

  @Override
  public void setOnReadyHandler(Runnable handler) {}

  @Override
  public void setCompression(String compression) {}

  @Override
  public void disableAutoInboundFlowControl() {}

  @Override
  public void request(int count) {}

  @Override
  public void setMessageCompression(boolean enable) {}

  @Override
  public void onError(Throwable error) {}

  @Override
  public void onCompleted() {}
}
