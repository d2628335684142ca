package dev.meshroll.api;

/**
 * Something a {@link TrafficRouter} can do. A rollout whose steps need a capability that one of its
 * routers lacks is refused before it starts.
 */
public enum Capability {
  /** Split traffic by weight between the stable and the canary version. */
  WEIGHTS,
  /** Send requests that match headers to one version ({@code setHeaderRoute}, preview routes). */
  HEADER_ROUTES,
  /** Copy a share of matching requests to the canary ({@code setMirrorRoute}). */
  MIRROR_ROUTES,
  /** Route to more than two versions at once (experiment variants). */
  MULTIPLE_VERSIONS,
  /** Tell whether the data plane has applied an intent ({@link TrafficRouter#verify}). */
  VERIFY
}
