package dev.meshroll.api;

import java.util.Map;
import java.util.Optional;

/**
 * One condition of a {@link MirrorRoute}: every part given must match (AND); an absent part matches
 * anything. As Argo Rollouts' {@code setMirrorRoute.match} entry: {@code {method: {exact: GET},
 * path: {prefix: /api}, headers: {x-user: {exact: alice}}}}.
 *
 * @param method how the HTTP method must look, if it matters
 * @param path how the request path must look, if it matters
 * @param headers header name to how its value must look
 */
public record RequestMatch(
    Optional<StringMatch> method, Optional<StringMatch> path, Map<String, StringMatch> headers) {
  public RequestMatch {
    headers = Map.copyOf(headers);
    if (method.isEmpty() && path.isEmpty() && headers.isEmpty()) {
      throw new IllegalArgumentException("a request match needs a method, a path or a header");
    }
  }
}
