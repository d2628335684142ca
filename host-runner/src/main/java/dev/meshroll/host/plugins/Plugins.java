package dev.meshroll.host.plugins;

import dev.meshroll.api.MetricProvider;
import dev.meshroll.api.TrafficRouter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.pf4j.DefaultPluginManager;
import org.pf4j.PluginManager;
import org.pf4j.PluginState;
import org.pf4j.PluginWrapper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The PF4J plugins of some folders, loaded one by one so that a broken one (a corrupt archive, a
 * missing class, a constructor that throws) is reported with its reason and skipped, and the rest
 * load.
 */
public final class Plugins implements AutoCloseable {
  private static final Logger logger = LoggerFactory.getLogger(Plugins.class);

  private final PluginManager manager;
  private final List<Loaded> loaded;
  private final List<Broken> broken;
  private final Map<String, TrafficRouter> routers;
  private final Map<String, MetricProvider> metricProviders;

  /** A plugin that loaded, and what it offers. */
  public record Loaded(
      String id, String version, Path path, List<String> routers, List<String> metricProviders) {}

  /** A plugin that could not be loaded, or part of one, and why. */
  public record Broken(Path path, String reason) {
    @Override
    public String toString() {
      return path + ": " + reason;
    }
  }

  private Plugins(
      PluginManager manager,
      List<Loaded> loaded,
      List<Broken> broken,
      Map<String, TrafficRouter> routers,
      Map<String, MetricProvider> metricProviders) {
    this.manager = manager;
    this.loaded = List.copyOf(loaded);
    this.broken = List.copyOf(broken);
    this.routers = Collections.unmodifiableMap(routers);
    this.metricProviders = Collections.unmodifiableMap(metricProviders);
  }

  /** Loads and starts the plugins of every folder that exists; a missing folder is skipped. */
  public static Plugins load(List<Path> folders) {
    List<Path> existing = folders.stream().filter(Files::isDirectory).toList();
    PluginManager manager = new DefaultPluginManager(existing);
    List<Loaded> loaded = new ArrayList<>();
    List<Broken> broken = new ArrayList<>();
    Map<String, TrafficRouter> routers = new LinkedHashMap<>();
    Map<String, MetricProvider> providers = new LinkedHashMap<>();
    for (Path candidate : candidates(existing, broken)) {
      try {
        load(manager, candidate, routers, providers, loaded, broken);
      } catch (RuntimeException | LinkageError e) {
        // PF4J reports a bad plugin by throwing; the others must still load.
        broken.add(new Broken(candidate, reason(e)));
      }
    }
    broken.forEach(plugin -> logger.warn("plugin skipped: {}", plugin));
    return new Plugins(manager, loaded, broken, routers, providers);
  }

  private static void load(
      PluginManager manager,
      Path candidate,
      Map<String, TrafficRouter> routers,
      Map<String, MetricProvider> providers,
      List<Loaded> loaded,
      List<Broken> broken) {
    String id = manager.loadPlugin(candidate);
    PluginWrapper plugin = manager.getPlugin(id);
    if (manager.startPlugin(id) != PluginState.STARTED) {
      Throwable failure = plugin.getFailedException();
      broken.add(
          new Broken(
              candidate,
              "did not start: " + (failure == null ? "unknown reason" : reason(failure))));
      manager.unloadPlugin(id);
      return;
    }
    Set<String> unloaded = new HashSet<>(manager.getExtensionClassNames(id));
    List<String> routerIds = new ArrayList<>();
    for (TrafficRouter router : extensions(manager, TrafficRouter.class, id, candidate, broken)) {
      unloaded.remove(router.getClass().getName());
      if (routers.putIfAbsent(router.id(), router) == null) {
        routerIds.add(router.id());
      } else {
        broken.add(
            new Broken(
                candidate, "router '" + router.id() + "' is offered by another plugin already"));
      }
    }
    List<String> providerIds = new ArrayList<>();
    for (MetricProvider provider :
        extensions(manager, MetricProvider.class, id, candidate, broken)) {
      unloaded.remove(provider.getClass().getName());
      if (providers.putIfAbsent(provider.id(), provider) == null) {
        providerIds.add(provider.id());
      }
    }
    unloaded.forEach(
        name ->
            broken.add(
                new Broken(
                    candidate, "extension " + name + " " + whyNotLoaded(manager, id, name))));
    loaded.add(
        new Loaded(id, plugin.getDescriptor().getVersion(), candidate, routerIds, providerIds));
  }

  private static <T> List<T> extensions(
      PluginManager manager, Class<T> type, String id, Path candidate, List<Broken> broken) {
    try {
      return manager.getExtensions(type, id);
    } catch (RuntimeException | LinkageError e) {
      broken.add(
          new Broken(
              candidate, "a " + type.getSimpleName() + " could not be created: " + reason(e)));
      return List.of();
    }
  }

  /**
   * Why PF4J left an extension out (it only logs it): the class is missing, or creating it threw.
   * Asked again through the plugin's own class loader, for the message.
   */
  private static String whyNotLoaded(PluginManager manager, String id, String name) {
    try {
      Class<?> type = manager.getPluginClassLoader(id).loadClass(name);
      type.getDeclaredConstructor().newInstance();
      return "was not loaded (it is neither a TrafficRouter nor a MetricProvider)";
    } catch (ClassNotFoundException | NoClassDefFoundError e) {
      return "could not be loaded: class not found: " + e.getMessage();
    } catch (java.lang.reflect.InvocationTargetException e) {
      return "could not be created: its constructor threw " + reason(e.getCause());
    } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
      return "could not be created: " + reason(e);
    }
  }

  /** Zips, jars and folders of plugins; a corrupt zip is reported here, before PF4J sees it. */
  private static List<Path> candidates(List<Path> folders, List<Broken> broken) {
    List<Path> candidates = new ArrayList<>();
    for (Path folder : folders) {
      try (Stream<Path> entries = Files.list(folder)) {
        List<Path> sorted = entries.sorted().toList();
        for (Path entry : sorted) {
          String name = entry.getFileName().toString();
          if (name.endsWith(".zip")) {
            String problem = zipProblem(entry);
            if (problem == null) {
              candidates.add(entry);
            } else {
              broken.add(new Broken(entry, problem));
            }
          } else if (name.endsWith(".jar")) {
            candidates.add(entry);
          } else if (Files.isDirectory(entry)
              && !sorted.contains(folder.resolve(name + ".zip"))
              && Files.exists(entry.resolve("plugin.properties"))) {
            candidates.add(entry); // a plugin laid out by hand, not one PF4J expanded from a zip
          }
        }
      } catch (IOException e) {
        broken.add(new Broken(folder, "cannot list the folder: " + e.getMessage()));
      }
    }
    return candidates;
  }

  private static String zipProblem(Path zip) {
    try (ZipFile file = new ZipFile(zip.toFile())) {
      ZipEntry descriptor = file.getEntry("plugin.properties");
      return descriptor == null ? "not a plugin archive: it holds no plugin.properties" : null;
    } catch (IOException e) {
      return "corrupt archive: " + e.getMessage();
    }
  }

  private static String reason(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String message = root.getMessage() == null ? "" : ": " + root.getMessage();
    return root == e
        ? root.getClass().getSimpleName() + message
        : e.getMessage() + " (" + root.getClass().getSimpleName() + message + ")";
  }

  public Map<String, TrafficRouter> routers() {
    return routers;
  }

  public Map<String, MetricProvider> metricProviders() {
    return metricProviders;
  }

  public List<Loaded> loaded() {
    return loaded;
  }

  public List<Broken> broken() {
    return broken;
  }

  @Override
  public void close() {
    // One by one from a copy: PF4J 3.15's stopPlugins() throws ConcurrentModificationException
    // once a plugin has started (pf4j#656).
    for (PluginWrapper plugin : new ArrayList<>(manager.getStartedPlugins())) {
      manager.stopPlugin(plugin.getPluginId());
    }
    manager.unloadPlugins();
  }
}
