package dev.meshroll.smi;

import java.math.BigDecimal;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The versions of SMI's {@code split.smi-spec.io} API, newest first, and how each writes weights.
 * Each is compatible with the {@code specs.smi-spec.io} version of the same name, which holds the
 * HTTPRouteGroups that header routes refer to.
 */
enum SplitVersion {
  V1ALPHA4("v1alpha4"),
  V1ALPHA3("v1alpha3"),
  V1ALPHA2("v1alpha2"),
  V1ALPHA1("v1alpha1");

  static final String GROUP = "split.smi-spec.io";
  static final String SPECS_GROUP = "specs.smi-spec.io";

  /** The version {@code meshroll plan} renders when neither the config nor a cluster names one. */
  static final SplitVersion OFFLINE = V1ALPHA3;

  private static final Pattern QUANTITY =
      Pattern.compile(
          "([+-]?(?:[0-9]+(?:\\.[0-9]*)?|\\.[0-9]+))(?:[eE]([+-]?[0-9]{1,3})|([numkKMGTPE]i?))?");
  private static final Map<String, BigDecimal> SUFFIXES =
      Map.ofEntries(
          Map.entry("n", new BigDecimal("1e-9")),
          Map.entry("u", new BigDecimal("1e-6")),
          Map.entry("m", new BigDecimal("1e-3")),
          Map.entry("k", new BigDecimal("1e3")),
          Map.entry("M", new BigDecimal("1e6")),
          Map.entry("G", new BigDecimal("1e9")),
          Map.entry("T", new BigDecimal("1e12")),
          Map.entry("P", new BigDecimal("1e15")),
          Map.entry("E", new BigDecimal("1e18")),
          Map.entry("Ki", BigDecimal.valueOf(2).pow(10)),
          Map.entry("Mi", BigDecimal.valueOf(2).pow(20)),
          Map.entry("Gi", BigDecimal.valueOf(2).pow(30)),
          Map.entry("Ti", BigDecimal.valueOf(2).pow(40)),
          Map.entry("Pi", BigDecimal.valueOf(2).pow(50)),
          Map.entry("Ei", BigDecimal.valueOf(2).pow(60)));

  private final String version;

  SplitVersion(String version) {
    this.version = version;
  }

  /** {@code v1alpha3}. */
  String version() {
    return version;
  }

  /** {@code split.smi-spec.io/v1alpha3}. */
  String apiVersion() {
    return GROUP + "/" + version;
  }

  /** {@code specs.smi-spec.io/v1alpha3}: where this version's header routes live. */
  String routeGroupApiVersion() {
    return SPECS_GROUP + "/" + version;
  }

  /** Whether a TrafficSplit of this version has {@code spec.matches}, so header routes. */
  boolean hasMatches() {
    return this == V1ALPHA3 || this == V1ALPHA4;
  }

  /**
   * A backend's weight in this version's form: v1alpha1 weights are Kubernetes quantities (strings
   * such as {@code "90"} or {@code "900m"}), later ones whole numbers.
   */
  Object weight(int percent) {
    return this == V1ALPHA1 ? String.valueOf(percent) : Integer.valueOf(percent);
  }

  /**
   * The version that {@code text} names, as {@code v1alpha3} or {@code split.smi-spec.io/v1alpha3}.
   */
  static Optional<SplitVersion> of(String text) {
    String bare = text.startsWith(GROUP + "/") ? text.substring(GROUP.length() + 1) : text;
    return Arrays.stream(values()).filter(v -> v.version.equals(bare)).findFirst();
  }

  /** The newest version among those an API server serves, if it serves any this plugin knows. */
  static Optional<SplitVersion> newest(Collection<String> served) {
    return Arrays.stream(values()).filter(v -> served.contains(v.version)).findFirst();
  }

  /** Every version's name, oldest first, as messages list them. */
  static List<String> names() {
    return List.of("v1alpha1", "v1alpha2", "v1alpha3", "v1alpha4");
  }

  /**
   * The amount a weight stands for, in any version's form: a number, or a quantity such as {@code
   * "500m"}, {@code "1"}, {@code "1e3"}, {@code "2Ki"}. Empty when it is neither.
   */
  static Optional<BigDecimal> amount(Object weight) {
    if (weight instanceof Number number) {
      return Optional.of(new BigDecimal(number.toString()));
    }
    if (!(weight instanceof String text)) {
      return Optional.empty();
    }
    Matcher matcher = QUANTITY.matcher(text.trim());
    if (!matcher.matches()) {
      return Optional.empty();
    }
    BigDecimal number = new BigDecimal(matcher.group(1));
    if (matcher.group(2) != null) {
      return Optional.of(number.scaleByPowerOfTen(Integer.parseInt(matcher.group(2))));
    }
    if (matcher.group(3) == null) {
      return Optional.of(number);
    }
    BigDecimal factor = SUFFIXES.get(matcher.group(3));
    return factor == null ? Optional.empty() : Optional.of(number.multiply(factor));
  }
}
