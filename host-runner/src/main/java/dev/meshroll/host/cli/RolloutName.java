package dev.meshroll.host.cli;

import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * A rollout named on the command line: {@code NAME} with {@code -n NAMESPACE}, or {@code
 * NAMESPACE/NAME}.
 */
final class RolloutName {
  @Parameters(
      index = "0",
      paramLabel = "NAME",
      description = "The rollout: NAME or NAMESPACE/NAME.")
  String name;

  @Option(
      names = {"-n", "--namespace"},
      defaultValue = "default",
      description = "The rollout's namespace (default: ${DEFAULT-VALUE}).")
  String namespace;

  dev.meshroll.proto.v1.RolloutRef ref() {
    int slash = name.indexOf('/');
    return dev.meshroll.proto.v1.RolloutRef.newBuilder()
        .setNamespace(slash < 0 ? namespace : name.substring(0, slash))
        .setName(slash < 0 ? name : name.substring(slash + 1))
        .build();
  }
}
