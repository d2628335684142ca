package dev.meshroll.host.demo;

import io.grpc.CallOptions;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCalls;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;

/**
 * Proxyless gRPC clients (io.grpc:grpc-xds) calling {@code xds:///reviews} in a loop, counting
 * which version answered into the tally in force; a new tally starts whenever the demo says so.
 */
final class DemoLoad implements AutoCloseable {
  /**
   * Pause between one client's calls: enough load to see a split, little enough to share 2 cores.
   */
  private static final long PAUSE_MILLIS = 2;

  private final List<ManagedChannel> channels = new ArrayList<>();
  private final List<Thread> threads = new ArrayList<>();
  private final AtomicReference<Map<String, LongAdder>> tally =
      new AtomicReference<>(new ConcurrentHashMap<>());
  private volatile boolean running = true;

  DemoLoad(int clients) {
    for (int i = 0; i < clients; i++) {
      ManagedChannel channel =
          Grpc.newChannelBuilder("xds:///reviews", InsecureChannelCredentials.create()).build();
      channels.add(channel);
      Thread thread = new Thread(() -> callUntilClosed(channel), "demo-client-" + i);
      thread.setDaemon(true);
      threads.add(thread);
      thread.start();
    }
  }

  private void callUntilClosed(ManagedChannel channel) {
    while (running) {
      String answer;
      try {
        answer =
            ClientCalls.blockingUnaryCall(
                channel,
                DemoBackends.VERSION,
                CallOptions.DEFAULT.withDeadlineAfter(2, TimeUnit.SECONDS),
                "");
      } catch (StatusRuntimeException e) {
        answer = "errors";
      }
      tally.get().computeIfAbsent(answer, key -> new LongAdder()).increment();
      try {
        Thread.sleep(PAUSE_MILLIS);
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  /** The answers counted since the last call, and a fresh count from now on. */
  Map<String, Long> restart() {
    Map<String, LongAdder> previous = tally.getAndSet(new ConcurrentHashMap<>());
    Map<String, Long> counts = new TreeMap<>();
    previous.forEach((version, count) -> counts.put(version, count.sum()));
    return counts;
  }

  @Override
  public void close() throws InterruptedException {
    running = false;
    for (Thread thread : threads) {
      thread.join(3000);
    }
    channels.forEach(ManagedChannel::shutdownNow);
  }
}
