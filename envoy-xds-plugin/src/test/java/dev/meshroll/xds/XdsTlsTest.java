package dev.meshroll.xds;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContextBuilder;
import io.grpc.netty.shaded.io.netty.handler.ssl.util.SelfSignedCertificate;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** TLS and mutual TLS on the xDS port, with certificates made for the test. */
class XdsTlsTest {
  @TempDir Path folder;
  private SelfSignedCertificate serverCertificate;
  private SelfSignedCertificate clientCertificate;
  private XdsRouter router;

  @BeforeEach
  @SuppressWarnings("deprecation") // Netty's test certificates: good enough for loopback tests
  void certificates() throws Exception {
    serverCertificate = new SelfSignedCertificate("localhost");
    clientCertificate = new SelfSignedCertificate("client");
    Files.createDirectories(folder.resolve("mesh"));
    Files.copy(
        Path.of("src/test/resources/base/grpc.yaml"), folder.resolve("mesh").resolve("grpc.yaml"));
    Files.copy(serverCertificate.certificate().toPath(), folder.resolve("server.crt"));
    Files.copy(serverCertificate.privateKey().toPath(), folder.resolve("server.key"));
    Files.copy(clientCertificate.certificate().toPath(), folder.resolve("clients.crt"));
  }

  @AfterEach
  void stop() {
    if (router != null) {
      router.stop();
    }
    serverCertificate.delete();
    clientCertificate.delete();
  }

  private void start(Map<String, Object> tls) throws Exception {
    router = new XdsRouter();
    router.start(Map.of("listen", "127.0.0.1:0", "resources", "mesh", "tls", tls), folder);
  }

  private ManagedChannel channel(boolean presentCertificate) throws Exception {
    SslContextBuilder tls =
        GrpcSslContexts.forClient().trustManager(serverCertificate.certificate());
    if (presentCertificate) {
      tls.keyManager(clientCertificate.certificate(), clientCertificate.privateKey());
    }
    return NettyChannelBuilder.forAddress("127.0.0.1", router.port())
        .overrideAuthority("localhost")
        .sslContext(tls.build())
        .build();
  }

  @Test
  void tlsServesClientsThatTrustTheServerAndRefusesPlainText() throws Exception {
    start(Map.of("certificate", "server.crt", "key", "server.key"));
    try (AdsClient secure = new AdsClient(channel(false), "secure")) {
      secure.subscribe(TypeUrls.CLUSTER, "");
      assertThat(secure.next().getResourcesList()).hasSize(3);
    }
    try (AdsClient plain = new AdsClient(router.port(), "plain")) {
      plain.subscribe(TypeUrls.CLUSTER, "");
      assertThat(plain.nextWithin(1000)).isNull();
    }
  }

  @Test
  void mutualTlsServesOnlyClientsWithACertificateOfTheCa() throws Exception {
    start(Map.of("certificate", "server.crt", "key", "server.key", "clientCa", "clients.crt"));
    try (AdsClient anonymous = new AdsClient(channel(false), "anonymous")) {
      anonymous.subscribe(TypeUrls.CLUSTER, "");
      assertThat(anonymous.nextWithin(1000)).isNull();
    }
    try (AdsClient known = new AdsClient(channel(true), "known")) {
      known.subscribe(TypeUrls.CLUSTER, "");
      assertThat(known.next().getResourcesList()).hasSize(3);
      // While it is connected: the fleet view lists connected nodes only.
      assertThat(router.nodes()).extracting(NodeStatus::id).containsExactly("known");
    }
  }

  @Test
  void missingTlsFilesAreNamed() {
    XdsRouter other = new XdsRouter();
    assertThatThrownBy(
            () ->
                other.start(
                    Map.of(
                        "resources",
                        "mesh",
                        "tls",
                        Map.of("certificate", "nope.crt", "key", "server.key")),
                    folder))
        .hasMessage("xds: TLS file " + folder.resolve("nope.crt") + " cannot be read");
    assertThatThrownBy(
            () ->
                other.start(
                    Map.of("resources", "mesh", "tls", Map.of("key", "server.key")), folder))
        .hasMessage(
            "xds: settings tls need certificate: FILE and key: FILE (PEM), and clientCa: FILE for mutual TLS");
  }
}
