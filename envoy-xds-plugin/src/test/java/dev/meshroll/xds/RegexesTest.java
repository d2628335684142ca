package dev.meshroll.xds;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Any;
import com.google.protobuf.StringValue;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.RouteMatch;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.type.matcher.v3.RegexMatcher;
import org.junit.jupiter.api.Test;

/** The walk that finds every regex of a resource, and RE2's verdict on each. */
class RegexesTest {
  private static RouteConfiguration routeMatching(String regex) {
    return RouteConfiguration.newBuilder()
        .setName("inner")
        .addVirtualHosts(
            VirtualHost.newBuilder()
                .setName("all")
                .addRoutes(
                    Route.newBuilder()
                        .setMatch(
                            RouteMatch.newBuilder()
                                .setSafeRegex(RegexMatcher.newBuilder().setRegex(regex)))))
        .build();
  }

  @Test
  void re2ReadsWhatJavaRefusesAndRefusesWhatJavaReads() {
    assertThat(Regexes.re2Error("(?P<v>x)")).isEmpty();
    assertThat(Regexes.re2Error("(?=x)")).contains("invalid or unsupported Perl syntax: `(?=`");
    assertThat(Regexes.re2Error("(a)\\1")).contains("invalid escape sequence: `\\1`");
  }

  @Test
  void mapValuesAreNamedByKeyAndAnysOfUnknownTypesAreLeftAlone() {
    Any manager =
        Any.pack(
            HttpConnectionManager.newBuilder().setRouteConfig(routeMatching("x(?!y)")).build());
    VirtualHost host =
        VirtualHost.newBuilder()
            .setName("web")
            .putTypedPerFilterConfig("envoy.filters.network.http_connection_manager", manager)
            .putTypedPerFilterConfig("other", Any.pack(StringValue.of("(?=not a regex)")))
            .build();

    assertThat(Regexes.problems(host, Resources.TYPES))
        .containsExactly(
            "typed_per_filter_config['envoy.filters.network.http_connection_manager']"
                + ".route_config.virtual_hosts[0].routes[0].match.safe_regex.regex: 'x(?!y)' is"
                + " not valid RE2: invalid or unsupported Perl syntax: `(?!`");
  }
}
