package dev.meshroll.host.control;

import static org.assertj.core.api.Assertions.assertThat;

import dev.meshroll.proto.v1.RolloutsGrpc;
import io.grpc.Attributes;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.Status;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class AuthorizationTest {
  private final Authorization both =
      new Authorization(
          Optional.of("s3cret-ops"), Map.of("alice", "s3cret-a", "ci@example.com", "s3cret-ci"));

  @Test
  void aNamedTokenYieldsItsCallersName() {
    assertThat(both.caller("Bearer s3cret-a")).contains("alice");
    assertThat(both.caller("Bearer s3cret-ci")).contains("ci@example.com");
  }

  @Test
  void theUnnamedTokenYieldsAnEmptyName() {
    assertThat(both.caller("Bearer s3cret-ops")).contains("");
    assertThat(new Authorization(Optional.of("s3cret-ops"), Map.of()).caller("Bearer s3cret-ops"))
        .contains("");
  }

  @Test
  void anyOtherHeaderIsRefused() {
    assertThat(
            List.of(
                "Bearer wrong",
                "Bearer s3cret-a ",
                "Bearer s3cret-",
                "bearer s3cret-a",
                "s3cret-a",
                "Bearer ",
                ""))
        .allSatisfy(header -> assertThat(both.caller(header)).isEmpty());
    assertThat(both.caller(null)).isEmpty();
    assertThat(new Authorization(Optional.empty(), Map.of("alice", "s3cret-a")).caller(null))
        .isEmpty();
  }

  @Test
  void aHostWithoutTokensAllowsEveryoneUnnamed() {
    Authorization open = new Authorization(Optional.empty(), Map.of());
    assertThat(open.caller(null)).contains("");
    assertThat(open.caller("Bearer anything")).contains("");
  }

  @Test
  void aSteeringCallRunsWithItsCallerInTheContext() {
    var call = new FakeCall<>(RolloutsGrpc.getPromoteMethod());
    List<String> seen = new ArrayList<>();

    both.interceptCall(call, bearer("s3cret-a"), handler(seen));

    assertThat(seen).containsExactly("alice");
    assertThat(call.closed).isNull();
    assertThat(Authorization.caller()).isEmpty(); // the context is detached again
  }

  @Test
  void aSteeringCallWithoutATokenIsClosedUnauthenticated() {
    var call = new FakeCall<>(RolloutsGrpc.getAbortMethod());
    List<String> seen = new ArrayList<>();

    both.interceptCall(call, bearer("wrong"), handler(seen));

    assertThat(seen).isEmpty();
    assertThat(call.closed.getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
    assertThat(call.closed.getDescription())
        .isEqualTo("Abort needs the host's token: pass --token or set MESHROLL_TOKEN");
  }

  @Test
  void aReadingCallNeedsNoToken() {
    var call = new FakeCall<>(RolloutsGrpc.getListMethod());
    List<String> seen = new ArrayList<>();

    both.interceptCall(call, new Metadata(), handler(seen));

    assertThat(seen).containsExactly("");
    assertThat(call.closed).isNull();
  }

  private static Metadata bearer(String token) {
    Metadata headers = new Metadata();
    headers.put(Authorization.HEADER, "Bearer " + token);
    return headers;
  }

  /** A handler that records the caller it sees when the call starts. */
  private static <Q, A> ServerCallHandler<Q, A> handler(List<String> seen) {
    return (call, headers) -> {
      seen.add(Authorization.caller());
      return new ServerCall.Listener<>() {};
    };
  }

  /** A server call that only remembers how it was closed. */
  private static final class FakeCall<Q, A> extends ServerCall<Q, A> {
    private final MethodDescriptor<Q, A> method;
    Status closed;

    FakeCall(MethodDescriptor<Q, A> method) {
      this.method = method;
    }

    @Override
    public void request(int count) {}

    @Override
    public void sendHeaders(Metadata headers) {}

    @Override
    public void sendMessage(A message) {}

    @Override
    public void close(Status status, Metadata trailers) {
      closed = status;
    }

    @Override
    public boolean isCancelled() {
      return false;
    }

    @Override
    public Attributes getAttributes() {
      return Attributes.EMPTY;
    }

    @Override
    public MethodDescriptor<Q, A> getMethodDescriptor() {
      return method;
    }
  }
}
