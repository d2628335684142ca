package dev.meshroll.host.run;

import dev.meshroll.api.RouterException;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs plugin calls with a timeout, so that a plugin that throws or hangs fails one rollout's step
 * with a message instead of stalling the host. Every call is timed into the metrics.
 */
final class RouterCalls implements AutoCloseable {
  /** The most plugin calls in flight at once; more means plugins hang, and calls are refused. */
  private static final int MOST_CALLS = 64;

  private final Duration timeout;
  private final HostMetrics metrics;
  private final ThreadPoolExecutor threads;

  RouterCalls(Duration timeout, HostMetrics metrics) {
    this.timeout = timeout;
    this.metrics = metrics;
    AtomicInteger count = new AtomicInteger();
    this.threads =
        new ThreadPoolExecutor(
            0,
            MOST_CALLS,
            30,
            TimeUnit.SECONDS,
            new SynchronousQueue<>(),
            task -> {
              Thread thread = new Thread(task, "plugin-call-" + count.incrementAndGet());
              thread.setDaemon(true); // a hung plugin call must not keep the JVM alive
              return thread;
            });
  }

  /** Something a plugin is asked to do. */
  interface PluginCall<T> {
    T call() throws Exception;
  }

  /**
   * Runs {@code work} as router {@code router}'s call {@code call}.
   *
   * @throws RouterException with the router's own message, or saying it threw or ran late
   */
  <T> T call(String router, String call, PluginCall<T> work) throws RouterException {
    long start = System.nanoTime();
    boolean failed = true;
    Future<T> future;
    try {
      future = threads.submit((Callable<T>) work::call);
    } catch (RejectedExecutionException e) {
      throw new RouterException(
          router + ": " + call + " refused: " + MOST_CALLS + " plugin calls are hanging already");
    }
    try {
      T result = future.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      failed = false;
      return result;
    } catch (TimeoutException e) {
      future.cancel(true);
      throw new RouterException(
          router + ": " + call + " did not answer within " + timeout.toMillis() / 1000.0 + "s");
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof RouterException routerException) {
        throw routerException;
      }
      throw new RouterException(
          router
              + ": "
              + call
              + " threw "
              + cause.getClass().getSimpleName()
              + ": "
              + cause.getMessage(),
          cause);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      future.cancel(true);
      throw new RouterException(router + ": " + call + " interrupted: the host is stopping");
    } finally {
      metrics.pluginCall(router, call, Duration.ofNanos(System.nanoTime() - start), failed);
    }
  }

  @Override
  public void close() {
    threads.shutdownNow();
  }
}
