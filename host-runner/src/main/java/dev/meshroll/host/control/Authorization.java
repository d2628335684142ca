package dev.meshroll.host.control;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Which caller a steering call comes from, by the bearer token it carries: the host's unnamed
 * {@code token} or one of its named {@code tokens}; reading calls need none.
 */
final class Authorization implements ServerInterceptor {
  static final Metadata.Key<String> HEADER =
      Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

  /** The caller of the steering call being handled: a token's name, or empty when unnamed. */
  static final Context.Key<String> CALLER = Context.key("meshroll-caller");

  private static final Set<String> STEERING =
      Set.of("Promote", "Abort", "Retry", "Pause", "Resume");

  /** A configured token: its caller ("" for the unnamed one) and the digest of its header. */
  private record Accepted(String caller, byte[] digest) {}

  private final List<Accepted> accepted = new ArrayList<>();

  /**
   * Accepts the unnamed token and the named ones; with neither, every call is allowed.
   *
   * @param token the unnamed token, if any
   * @param tokens the named tokens, by caller's name (names are not empty, tokens do not repeat:
   *     {@code HostConfig} sees to both)
   */
  Authorization(Optional<String> token, Map<String, String> tokens) {
    token.ifPresent(unnamed -> accepted.add(new Accepted("", digest("Bearer " + unnamed))));
    tokens.forEach((name, named) -> accepted.add(new Accepted(name, digest("Bearer " + named))));
  }

  /**
   * The caller whose token an {@code Authorization} header value carries: their name, or "" for the
   * unnamed token and for any header when the host has no token at all; empty when it carries none
   * of the host's tokens.
   */
  Optional<String> caller(String header) {
    if (accepted.isEmpty()) {
      return Optional.of("");
    }
    // Digests have one length whatever the tokens', and every token is compared even after a
    // match, so the time taken tells neither a token's length nor which one matched.
    byte[] given = digest(header == null ? "" : header);
    String caller = null;
    for (Accepted token : accepted) {
      if (MessageDigest.isEqual(token.digest(), given)) {
        caller = token.caller();
      }
    }
    return Optional.ofNullable(caller);
  }

  /** The caller of the gRPC call this thread handles; "" outside a steering call. */
  static String caller() {
    String caller = CALLER.get();
    return caller == null ? "" : caller;
  }

  @Override
  public <Q, A> ServerCall.Listener<Q> interceptCall(
      ServerCall<Q, A> call, Metadata headers, ServerCallHandler<Q, A> next) {
    String method = call.getMethodDescriptor().getBareMethodName();
    if (!STEERING.contains(method)) {
      return next.startCall(call, headers);
    }
    Optional<String> caller = caller(headers.get(HEADER));
    if (caller.isEmpty()) {
      call.close(
          Status.UNAUTHENTICATED.withDescription(
              method + " needs the host's token: pass --token or set MESHROLL_TOKEN"),
          new Metadata());
      return new ServerCall.Listener<>() {};
    }
    return Contexts.interceptCall(
        Context.current().withValue(CALLER, caller.get()), call, headers, next);
  }

  private static byte[] digest(String text) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime has SHA-256", e);
    }
  }
}
