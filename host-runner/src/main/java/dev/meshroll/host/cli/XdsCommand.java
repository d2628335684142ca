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
          "Lists the connected xDS nodes, one row each: cluster, streams, connected since, the"
              + " generation of each rollout its routes carry, ACKed version per type, last NACK.")
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

    /** The xDS types by the names of their discovery services, as Envoy's users know them. */
    private static final Map<String, String> SERVICES =
        Map.of(
            "Listener", "LDS",
            "RouteConfiguration", "RDS",
            "Cluster", "CDS",
            "ClusterLoadAssignment", "EDS");

    private static final List<String> ORDER = List.of("LDS", "RDS", "CDS", "EDS");

    static String table(RouterStatusResponse status) {
      Map<String, Value> tree = status.getStatus().getFieldsMap();
      String epoch = tree.getOrDefault("epoch", Value.getDefaultInstance()).getStringValue();
      List<String[]> rows = new ArrayList<>();
      rows.add(
          new String[] {
            "NODE", "CLUSTER", "STREAMS", "CONNECTED SINCE", "ROLLOUTS", "ACKED", "LAST NACK"
          });
      Value nodes = tree.getOrDefault("nodes", Value.getDefaultInstance());
      for (Value node : nodes.getListValue().getValuesList()) {
        Map<String, Value> fields = node.getStructValue().getFieldsMap();
        rows.add(
            new String[] {
              text(fields, "id"),
              text(fields, "cluster"),
              String.valueOf(
                  (long)
                      fields.getOrDefault("streams", Value.getDefaultInstance()).getNumberValue()),
              text(fields, "connectedSince"),
              generations(fields),
              acked(fields, epoch),
              lastNack(fields, epoch)
            });
      }
      if (rows.size() == 1) {
        return "(no node connected)\n";
      }
      return "xDS server run "
          + epoch
          + " (versions below are N of "
          + epoch
          + "-N)\n"
          + RolloutText.columns(rows);
    }

    /** {@code bookinfo/reviews gen 4}: what the node's acknowledged routes carry. */
    private static String generations(Map<String, Value> fields) {
      String text =
          struct(fields, "generations").entrySet().stream()
              .sorted(Map.Entry.comparingByKey())
              .map(entry -> entry.getKey() + " gen " + (long) entry.getValue().getNumberValue())
              .collect(Collectors.joining(", "));
      return text.isEmpty() ? "-" : text;
    }

    /** {@code LDS 1 RDS 5 CDS 3 EDS 3}; {@code -} for a type never ACKed. */
    private static String acked(Map<String, Value> fields, String epoch) {
      Map<String, String> byService = new java.util.HashMap<>();
      struct(fields, "acked")
          .forEach(
              (type, version) ->
                  byService.put(
                      SERVICES.getOrDefault(type, type), version(version.getStringValue(), epoch)));
      return ORDER.stream()
          .filter(byService::containsKey)
          .map(service -> service + " " + byService.get(service))
          .collect(Collectors.joining(" "));
    }

    /** {@code 18:21:07Z CDS 3 'reviews-v2': the client's message}; {@code -} for none. */
    private static String lastNack(Map<String, Value> fields, String epoch) {
      Map<String, Value> nack = struct(fields, "lastNack");
      if (nack.isEmpty()) {
        return "-";
      }
      String names =
          nack
              .getOrDefault("resources", Value.getDefaultInstance())
              .getListValue()
              .getValuesList()
              .stream()
              .map(name -> " '" + name.getStringValue() + "'")
              .collect(Collectors.joining(","));
      return text(nack, "at")
          + " "
          + SERVICES.getOrDefault(text(nack, "type"), text(nack, "type"))
          + " "
          + version(text(nack, "version"), epoch)
          + names
          + ": "
          + text(nack, "message");
    }

    /** A version of this server run without the run's prefix; another run's as it is. */
    private static String version(String version, String epoch) {
      if (version.isEmpty()) {
        return "-";
      }
      return version.startsWith(epoch + "-") ? version.substring(epoch.length() + 1) : version;
    }

    private static Map<String, Value> struct(Map<String, Value> fields, String key) {
      return fields.getOrDefault(key, Value.getDefaultInstance()).getStructValue().getFieldsMap();
    }

    private static String text(Map<String, Value> fields, String key) {
      return fields.getOrDefault(key, Value.getDefaultInstance()).getStringValue();
    }
  }
}
