package dev.meshroll.host.cli;

import com.google.protobuf.Value;
import dev.meshroll.proto.v1.RouterStatusRequest;
import dev.meshroll.proto.v1.RouterStatusResponse;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code meshroll xds ...}: the xds router's own views. */
@Command(
    name = "xds",
    description = "The xDS control plane of a host.",
    subcommands = XdsCommand.Nodes.class)
final class XdsCommand {

  /** {@code meshroll xds nodes}: the connected fleet, like istioctl proxy-status. */
  @Command(
      name = "nodes",
      description =
          "Lists the connected xDS clients: node, cluster, connected since, ACKed version per type, last NACK.")
  static final class Nodes implements Callable<Integer> {
    @Mixin HostOptions host;

    @Option(
        names = {"-o", "--output"},
        defaultValue = "text",
        description = "text, json or yaml.")
    Output output;

    @Spec CommandSpec command;

    @Override
    public Integer call() {
      PrintWriter out = command.commandLine().getOut();
      ManagedChannel channel = host.channel();
      try {
        RouterStatusResponse status =
            host.blocking(channel)
                .routerStatus(RouterStatusRequest.newBuilder().setRouter("xds").build());
        out.print(output == Output.text ? table(status) : output.format(status) + "\n");
        return 0;
      } catch (StatusRuntimeException e) {
        command.commandLine().getErr().println(host.explain(e));
        return 1;
      } finally {
        out.flush();
        HostOptions.close(channel);
      }
    }

    static String table(RouterStatusResponse status) {
      List<String> lines = new ArrayList<>();
      lines.add(
          String.format(
              "%-24s %-12s %-26s %-64s %s",
              "NODE", "CLUSTER", "CONNECTED SINCE", "ACKED", "LAST NACK"));
      Value nodes = status.getStatus().getFieldsOrDefault("nodes", Value.getDefaultInstance());
      for (Value node : nodes.getListValue().getValuesList()) {
        Map<String, Value> fields = node.getStructValue().getFieldsMap();
        String acked =
            fields
                .getOrDefault("acked", Value.getDefaultInstance())
                .getStructValue()
                .getFieldsMap()
                .entrySet()
                .stream()
                .sorted(Map.Entry.comparingByKey())
                .map(entry -> entry.getKey() + "=" + entry.getValue().getStringValue())
                .collect(Collectors.joining(" "));
        lines.add(
            String.format(
                "%-24s %-12s %-26s %-64s %s",
                text(fields, "id"),
                text(fields, "cluster"),
                text(fields, "connectedSince"),
                acked,
                text(fields, "lastNack")));
      }
      if (lines.size() == 1) {
        lines.add("(no node connected)");
      }
      return String.join("\n", lines) + "\n";
    }

    private static String text(Map<String, Value> fields, String key) {
      return fields.getOrDefault(key, Value.getDefaultInstance()).getStringValue();
    }
  }
}
