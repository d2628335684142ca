package dev.meshroll.xds;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteAction;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.envoyproxy.envoy.config.route.v3.WeightedCluster;
import io.envoyproxy.envoy.extensions.filters.http.router.v3.Router;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Base resources in Envoy's own file form: documents with a {@code resources:} list of typed
 * resources ({@code "@type": type.googleapis.com/envoy.config.route.v3.RouteConfiguration}, ...),
 * as Envoy reads them from a path config source, in YAML or JSON. Pure but for {@link #load}.
 */
final class Resources {
  private static final ObjectMapper YAML = new YAMLMapper();
  private static final ObjectMapper JSON = new ObjectMapper();

  /** The types a base file may hold, also inside {@code Any}s (the HTTP connection manager). */
  static final JsonFormat.TypeRegistry TYPES =
      JsonFormat.TypeRegistry.newBuilder()
          .add(Listener.getDescriptor())
          .add(RouteConfiguration.getDescriptor())
          .add(Cluster.getDescriptor())
          .add(ClusterLoadAssignment.getDescriptor())
          .add(HttpConnectionManager.getDescriptor())
          .add(Router.getDescriptor())
          .build();

  private static final JsonFormat.Parser PARSER = JsonFormat.parser().usingTypeRegistry(TYPES);

  /** Resources read, or every problem that keeps them from being used. */
  record Result(ResourceSet resources, List<String> problems) {
    boolean valid() {
      return problems.isEmpty();
    }
  }

  /** One parsed document: where it came from, and its tree. */
  record Document(String origin, Object tree) {}

  private Resources() {}

  /** Reads every {@code .yaml}, {@code .yml} and {@code .json} file of a folder. */
  static Result load(Path folder) {
    List<Document> documents = new ArrayList<>();
    List<String> problems = new ArrayList<>();
    try (Stream<Path> files = Files.list(folder)) {
      for (Path file : files.sorted().toList()) {
        String name = file.getFileName().toString();
        if (name.startsWith(".")
            || !(name.endsWith(".yaml") || name.endsWith(".yml") || name.endsWith(".json"))) {
          continue;
        }
        try {
          documents.add(new Document(name, YAML.readValue(Files.readString(file), Object.class)));
        } catch (IOException e) {
          problems.add(
              name + ": not valid YAML or JSON: " + e.getMessage().lines().findFirst().orElse(""));
        }
      }
    } catch (IOException e) {
      problems.add(folder + ": cannot read the resources folder: " + e.getMessage());
    }
    Result parsed = parse(documents);
    problems.addAll(parsed.problems());
    return new Result(problems.isEmpty() ? parsed.resources() : ResourceSet.EMPTY, problems);
  }

  /** Parses and checks documents; resources from files with problems are all refused. */
  static Result parse(List<Document> documents) {
    List<String> problems = new ArrayList<>();
    Map<String, TreeMap<String, com.google.protobuf.Message>> byType = new TreeMap<>();
    Map<String, String> origins = new TreeMap<>();
    for (Document document : documents) {
      if (!(document.tree() instanceof Map<?, ?> map)
          || !(map.get("resources") instanceof List<?> items)) {
        problems.add(
            document.origin()
                + ": expected a mapping with a 'resources' list, as Envoy reads from a path");
        continue;
      }
      for (int i = 0; i < items.size(); i++) {
        String where = document.origin() + ": resources[" + i + "]";
        try {
          Any.Builder any = Any.newBuilder();
          JsonNode json = JSON.valueToTree(items.get(i));
          PARSER.merge(JSON.writeValueAsString(json), any);
          com.google.protobuf.Message resource = unpack(any.build());
          String name = nameOf(resource);
          if (name.isEmpty()) {
            problems.add(where + ": " + TypeUrls.shortName(any.getTypeUrl()) + " has no name");
            continue;
          }
          // Envoy and gRPC compile regexes with RE2; one only Java's engine reads would be NACKed,
          // or crash a client that does not check it first (grpc-js).
          for (String problem : Regexes.problems(resource, TYPES)) {
            problems.add(
                where
                    + ": "
                    + TypeUrls.shortName(any.getTypeUrl())
                    + " '"
                    + name
                    + "': "
                    + problem);
          }
          String key = any.getTypeUrl() + "/" + name;
          String previous = origins.putIfAbsent(key, where);
          if (previous != null) {
            problems.add(
                where
                    + ": "
                    + TypeUrls.shortName(any.getTypeUrl())
                    + " '"
                    + name
                    + "' is defined twice (also at "
                    + previous
                    + ")");
            continue;
          }
          byType.computeIfAbsent(any.getTypeUrl(), type -> new TreeMap<>()).put(name, resource);
        } catch (InvalidProtocolBufferException | IllegalArgumentException e) {
          problems.add(where + ": " + e.getMessage());
        } catch (IOException e) {
          problems.add(where + ": " + e.getMessage());
        }
      }
    }
    ResourceSet set =
        new ResourceSet(
            typed(byType, TypeUrls.LISTENER, Listener.class),
            typed(byType, TypeUrls.ROUTE, RouteConfiguration.class),
            typed(byType, TypeUrls.CLUSTER, Cluster.class),
            typed(byType, TypeUrls.ENDPOINT, ClusterLoadAssignment.class));
    problems.addAll(references(set));
    return new Result(problems.isEmpty() ? set : ResourceSet.EMPTY, problems);
  }

  private static com.google.protobuf.Message unpack(Any any) throws InvalidProtocolBufferException {
    return switch (any.getTypeUrl()) {
      case TypeUrls.LISTENER -> any.unpack(Listener.class);
      case TypeUrls.ROUTE -> any.unpack(RouteConfiguration.class);
      case TypeUrls.CLUSTER -> any.unpack(Cluster.class);
      case TypeUrls.ENDPOINT -> any.unpack(ClusterLoadAssignment.class);
      default ->
          throw new IllegalArgumentException(
              "'"
                  + any.getTypeUrl()
                  + "' is not a resource type this server serves"
                  + " (expected Listener, RouteConfiguration, Cluster or ClusterLoadAssignment)");
    };
  }

  /** The name xDS knows a resource by: its cluster's name for an endpoint assignment. */
  static String nameOf(com.google.protobuf.Message resource) {
    if (resource instanceof ClusterLoadAssignment assignment) {
      return assignment.getClusterName();
    }
    if (resource instanceof Listener listener) {
      return listener.getName();
    }
    if (resource instanceof RouteConfiguration routes) {
      return routes.getName();
    }
    return ((Cluster) resource).getName();
  }

  @SuppressWarnings("unchecked")
  private static <T> TreeMap<String, T> typed(
      Map<String, TreeMap<String, com.google.protobuf.Message>> byType,
      String typeUrl,
      Class<T> type) {
    return (TreeMap<String, T>) (TreeMap<String, ?>) byType.getOrDefault(typeUrl, new TreeMap<>());
  }

  /**
   * Every cluster a route names must be defined, and every route configuration a listener names.
   */
  static List<String> references(ResourceSet set) {
    List<String> problems = new ArrayList<>();
    for (RouteConfiguration routes : set.routes().values()) {
      for (VirtualHost host : routes.getVirtualHostsList()) {
        for (Route route : host.getRoutesList()) {
          String where =
              "RouteConfiguration '"
                  + routes.getName()
                  + "' virtual host '"
                  + host.getName()
                  + "' route '"
                  + route.getName()
                  + "'";
          for (String cluster : clustersOf(route.getRoute())) {
            if (!set.clusters().containsKey(cluster)) {
              problems.add(
                  where
                      + ": cluster '"
                      + cluster
                      + "' is not defined (clusters: "
                      + set.clusters().keySet()
                      + ")");
            }
          }
        }
      }
    }
    for (Listener listener : set.listeners().values()) {
      String routeName = RouteNames.ofListener(listener);
      if (!routeName.isEmpty() && !set.routes().containsKey(routeName)) {
        problems.add(
            "Listener '"
                + listener.getName()
                + "': RouteConfiguration '"
                + routeName
                + "' is not defined (route configurations: "
                + set.routes().keySet()
                + ")");
      }
    }
    return problems;
  }

  /** The clusters a route action sends to or mirrors to. */
  static List<String> clustersOf(RouteAction action) {
    List<String> clusters = new ArrayList<>();
    if (!action.getCluster().isEmpty()) {
      clusters.add(action.getCluster());
    }
    for (WeightedCluster.ClusterWeight weight : action.getWeightedClusters().getClustersList()) {
      clusters.add(weight.getName());
    }
    action.getRequestMirrorPoliciesList().forEach(mirror -> clusters.add(mirror.getCluster()));
    return clusters;
  }
}
