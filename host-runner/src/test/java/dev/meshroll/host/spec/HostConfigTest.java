package dev.meshroll.host.spec;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HostConfigTest {
  private static final Path FILE = Path.of("/etc/meshroll/host.yaml");

  @Test
  void readsEveryKeyWithPathsRelativeToTheFile() {
    HostConfig config =
        HostConfig.parse(
                FILE,
                """
                rollouts: specs
                state: /var/lib/meshroll
                listen: 0.0.0.0:9000
                httpListen: 127.0.0.1:9001
                token: s3cret
                tokens: {alice: s3cret-a, ci@example.com: s3cret-ci}
                pluginTimeout: 2s
                verifyInterval: 250ms
                workers: 8
                plugins:
                  folder: extra
                  xds: {listen: 127.0.0.1:18000, resources: ./mesh}
                """)
            .config()
            .orElseThrow();

    assertThat(config.rollouts()).isEqualTo(Path.of("/etc/meshroll/specs"));
    assertThat(config.state()).isEqualTo(Path.of("/var/lib/meshroll"));
    assertThat(config.listen()).isEqualTo(new HostConfig.Address("0.0.0.0", 9000));
    assertThat(config.httpListen().port()).isEqualTo(9001);
    assertThat(config.token()).contains("s3cret");
    assertThat(config.tokens())
        .containsExactly(Map.entry("alice", "s3cret-a"), Map.entry("ci@example.com", "s3cret-ci"));
    assertThat(config.pluginTimeout()).isEqualTo(Duration.ofSeconds(2));
    assertThat(config.verifyInterval()).isEqualTo(Duration.ofMillis(250));
    assertThat(config.workers()).isEqualTo(8);
    assertThat(config.pluginFolder()).contains(Path.of("/etc/meshroll/extra"));
    assertThat(config.pluginSettings())
        .isEqualTo(Map.of("xds", Map.of("listen", "127.0.0.1:18000", "resources", "./mesh")));
    assertThat(config.directory()).isEqualTo(Path.of("/etc/meshroll"));
  }

  @Test
  void anEmptyFileMeansTheDefaults() {
    HostConfig config = HostConfig.parse(FILE, "{}").config().orElseThrow();
    assertThat(config).isEqualTo(HostConfig.defaults(Path.of("/etc/meshroll")));
    assertThat(config.listen().toString()).isEqualTo("127.0.0.1:7070");
  }

  @Test
  void reportsEveryProblemAtOnce() {
    HostConfig.Result result =
        HostConfig.parse(
            FILE,
            """
            rolouts: specs
            listen: localhost
            pluginTimeout: 0s
            verifyInterval: soon
            workers: 0
            plugins: {istio: true}
            """);

    assertThat(result.config()).isEmpty();
    assertThat(result.problems())
        .map(SpecProblem::toString)
        .containsExactly(
            "/etc/meshroll/host.yaml: rolouts: unknown field (did you mean 'rollouts'?)",
            "/etc/meshroll/host.yaml: listen: 'localhost' is not an address (expected host:port, e.g. 127.0.0.1:7070)",
            "/etc/meshroll/host.yaml: pluginTimeout: must be longer than 0s",
            "/etc/meshroll/host.yaml: verifyInterval: the string \"soon\" is not a duration (expected e.g. 30s, 2m or 1h30m)",
            "/etc/meshroll/host.yaml: workers: 0 is below 1",
            "/etc/meshroll/host.yaml: plugins.istio: expected the plugin's settings mapping, got true");
  }

  @Test
  void namedTokensAloneAreEnough() {
    HostConfig config =
        HostConfig.parse(FILE, "tokens: {alice: s3cret-a, deploy-bot.v2: s3cret-b}")
            .config()
            .orElseThrow();
    assertThat(config.token()).isEmpty();
    assertThat(config.tokens()).containsOnlyKeys("alice", "deploy-bot.v2");
  }

  @Test
  void namedTokensNeedAValidNameAndATokenOfTheirOwn() {
    HostConfig.Result result =
        HostConfig.parse(
            FILE,
            """
            token: s3cret-ops
            tokens:
              alice: s3cret-a
              bob: "  "
              carol: s3cret-a
              dave: s3cret-ops
              Eve: s3cret-e
              ci/cd: s3cret-ci
              frank: 12345
              grace:
            """);

    assertThat(result.config()).isEmpty();
    assertThat(result.problems())
        .map(SpecProblem::toString)
        .containsExactly(
            "/etc/meshroll/host.yaml: tokens.bob: must not be blank",
            "/etc/meshroll/host.yaml: tokens.carol: the same token as tokens.alice (each caller needs a token of their own)",
            "/etc/meshroll/host.yaml: tokens.dave: the same token as token (each caller needs a token of their own)",
            "/etc/meshroll/host.yaml: tokens.Eve: 'Eve' is not a caller name (expected 1 to 63 lower-case letters, digits, '-', '.' or '@', starting with a letter or digit, e.g. alice or ci@example.com)",
            "/etc/meshroll/host.yaml: tokens.ci/cd: 'ci/cd' is not a caller name (expected 1 to 63 lower-case letters, digits, '-', '.' or '@', starting with a letter or digit, e.g. alice or ci@example.com)",
            "/etc/meshroll/host.yaml: tokens.frank: expected a string (quote the token)",
            "/etc/meshroll/host.yaml: tokens.grace: expected a string, got nothing");
  }

  @Test
  void tokensMustBeAMappingAndTheKeyIsSuggested() {
    assertThat(HostConfig.parse(FILE, "tokens: [s3cret-a]").problems())
        .map(SpecProblem::toString)
        .containsExactly(
            "/etc/meshroll/host.yaml: tokens: expected a mapping of caller names to tokens (e.g. {alice: TOKEN}), got a list");
    assertThat(HostConfig.parse(FILE, "tokns: {alice: s3cret-a}").problems())
        .map(SpecProblem::toString)
        .containsExactly("/etc/meshroll/host.yaml: tokns: unknown field (did you mean 'tokens'?)");
  }

  @Test
  void aCallerNamedTwiceIsInvalidYaml() {
    assertThat(HostConfig.parse(FILE, "tokens: {alice: s3cret-a, alice: s3cret-b}").problems())
        .singleElement()
        .satisfies(problem -> assertThat(problem.message()).contains("Duplicate field 'alice'"));
  }

  @Test
  void addressesNeedAPort() {
    assertThat(HostConfig.Address.parse("[::1]:7070"))
        .isEqualTo(new HostConfig.Address("[::1]", 7070));
    assertThat(List.of("7070", "host:99999", ":"))
        .allSatisfy(
            text ->
                org.assertj.core.api.Assertions.assertThatThrownBy(
                        () -> HostConfig.Address.parse(text))
                    .isInstanceOf(IllegalArgumentException.class));
  }
}
