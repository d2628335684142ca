package dev.meshroll.providers;

import dev.meshroll.providers.ConfigFields.Header;
import java.net.ConnectException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.channels.UnresolvedAddressException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** The providers' HTTP calls: bounded in time, with every failure put in words. */
final class HttpCalls {
  private HttpCalls() {}

  /** A client for one provider; thread-safe, so that every analysis of the host can share it. */
  static HttpClient newClient() {
    return HttpClient.newBuilder()
        // Over plain http, HTTP/2 would mean an h2c upgrade request, which some proxies in front
        // of Prometheus or a web endpoint refuse.
        .version(HttpClient.Version.HTTP_1_1)
        .followRedirects(HttpClient.Redirect.NORMAL)
        .build();
  }

  /** The configured timeout, but never longer than the host waits for the call. */
  static Duration timeout(Optional<Duration> configured, Duration hostLimit) {
    return configured.filter(timeout -> timeout.compareTo(hostLimit) < 0).orElse(hostLimit);
  }

  static void addHeaders(HttpRequest.Builder request, List<Header> headers) {
    headers.forEach(header -> request.header(header.key(), header.value()));
  }

  /**
   * Sends {@code request} and waits at most {@code timeout} for the whole answer.
   *
   * @param source how messages name the call, e.g. {@code GET http://host/health}
   */
  static HttpResponse<String> send(
      HttpClient client, HttpRequest request, Duration timeout, String source)
      throws CannotMeasure {
    // The request's own timeout ends only the wait for the response headers; waiting on the
    // future bounds the body too, and cancelling it aborts the exchange.
    CompletableFuture<HttpResponse<String>> call =
        client.sendAsync(request, HttpResponse.BodyHandlers.ofString());
    try {
      return call.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      call.cancel(true);
      throw new CannotMeasure(
          source + ": no answer within the timeout of " + ConfigFields.text(timeout));
    } catch (InterruptedException e) {
      call.cancel(true);
      Thread.currentThread().interrupt();
      throw new CannotMeasure(source + ": interrupted while waiting for the answer");
    } catch (ExecutionException e) {
      throw new CannotMeasure(source + ": " + describe(e.getCause()));
    }
  }

  /** The JDK client's ConnectException carries no message: say what it means instead. */
  private static String describe(Throwable failure) {
    for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
      if (cause instanceof UnresolvedAddressException) {
        return "cannot connect: unknown host";
      }
    }
    if (failure instanceof ConnectException && failure.getMessage() == null) {
      return "cannot connect (connection refused or host unreachable)";
    }
    for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
      if (cause.getMessage() != null) {
        return cause.getClass().getSimpleName() + ": " + cause.getMessage();
      }
    }
    return failure.getClass().getSimpleName();
  }
}
