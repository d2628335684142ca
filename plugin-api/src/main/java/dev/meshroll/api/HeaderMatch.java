package dev.meshroll.api;

import java.util.Objects;

/**
 * One header condition of a {@link HeaderRoute}, as Argo Rollouts' {@code setHeaderRoute.match}
 * entry: {@code {headerName: x-canary, headerValue: {exact: "1"}}}.
 *
 * @param headerName the header's name, as the mesh compares it (lower case for HTTP/2)
 * @param headerValue how the header's value must look
 */
public record HeaderMatch(String headerName, StringMatch headerValue) {
  public HeaderMatch {
    Objects.requireNonNull(headerName, "headerName");
    Objects.requireNonNull(headerValue, "headerValue");
    if (headerName.isBlank()) {
      throw new IllegalArgumentException("a header match needs a header name");
    }
  }
}
