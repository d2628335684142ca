package dev.meshroll.host.plugins;

import dev.meshroll.api.TrafficRouter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.pf4j.DefaultPluginManager;
import org.pf4j.PluginManager;
import org.pf4j.PluginWrapper;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The traffic routers of the PF4J plugins found in some folders, loaded and started. */
public final class PluginRouters implements AutoCloseable {
  private static final Logger logger = LoggerFactory.getLogger(PluginRouters.class);

  private final PluginManager manager;
  private final Map<String, TrafficRouter> routers;

  private PluginRouters(PluginManager manager, Map<String, TrafficRouter> routers) {
    this.manager = manager;
    this.routers = Collections.unmodifiableMap(routers);
  }

  /** Loads the plugins of every folder that exists; a folder that does not is skipped. */
  public static PluginRouters load(List<Path> folders) {
    List<Path> existing = folders.stream().filter(Files::isDirectory).toList();
    if (existing.isEmpty()) {
      return new PluginRouters(null, new LinkedHashMap<>());
    }
    PluginManager manager = new DefaultPluginManager(existing);
    manager.loadPlugins();
    manager.startPlugins();
    Map<String, TrafficRouter> routers = new LinkedHashMap<>();
    for (TrafficRouter router : manager.getExtensions(TrafficRouter.class)) {
      TrafficRouter previous = routers.putIfAbsent(router.id(), router);
      if (previous != null) {
        logger.warn(
            "two plugins offer router '{}': keeping {}, ignoring {}",
            router.id(),
            previous.getClass().getName(),
            router.getClass().getName());
      }
    }
    return new PluginRouters(manager, routers);
  }

  /** Router id to router. */
  public Map<String, TrafficRouter> routers() {
    return routers;
  }

  @Override
  public void close() {
    if (manager == null) {
      return;
    }
    // One by one from a copy: PF4J 3.15's stopPlugins() throws ConcurrentModificationException
    // once a plugin has started (pf4j#656).
    for (PluginWrapper plugin : new ArrayList<>(manager.getStartedPlugins())) {
      manager.stopPlugin(plugin.getPluginId());
    }
    manager.unloadPlugins();
  }
}
