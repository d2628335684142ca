package dev.meshroll.host.control;

import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Optional;
import java.util.Set;

/**
 * The bearer token that steering calls need when the host has one; reading calls need none.
 * Compared in constant time, so that timing tells nothing about the token.
 */
final class Authorization implements ServerInterceptor {
  static final Metadata.Key<String> HEADER =
      Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
  private static final Set<String> STEERING =
      Set.of("Promote", "Abort", "Retry", "Pause", "Resume");

  private final Optional<String> token;

  Authorization(Optional<String> token) {
    this.token = token;
  }

  /** Whether an {@code Authorization} header value carries the token (always, when none is set). */
  boolean allows(String header) {
    if (token.isEmpty()) {
      return true;
    }
    byte[] expected = ("Bearer " + token.get()).getBytes(StandardCharsets.UTF_8);
    byte[] given = (header == null ? "" : header).getBytes(StandardCharsets.UTF_8);
    return MessageDigest.isEqual(expected, given);
  }

  @Override
  public <Q, A> ServerCall.Listener<Q> interceptCall(
      ServerCall<Q, A> call, Metadata headers, ServerCallHandler<Q, A> next) {
    String method = call.getMethodDescriptor().getBareMethodName();
    if (STEERING.contains(method) && !allows(headers.get(HEADER))) {
      call.close(
          Status.UNAUTHENTICATED.withDescription(
              method + " needs the host's token: pass --token or set MESHROLL_TOKEN"),
          new Metadata());
      return new ServerCall.Listener<>() {};
    }
    return next.startCall(call, headers);
  }
}
