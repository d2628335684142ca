package dev.meshroll.host.analysis;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** Measured values as people read them in a status: short, numbers to six significant digits. */
final class Values {
  private static final int LONGEST = 120;

  private Values() {}

  static String describe(Object value) {
    String text = text(value);
    return text.length() <= LONGEST ? text : text.substring(0, LONGEST - 1) + "…";
  }

  private static String text(Object value) {
    if (value instanceof Double || value instanceof Float) {
      double number = ((Number) value).doubleValue();
      if (Double.isNaN(number) || Double.isInfinite(number)) {
        return Double.toString(number);
      }
      return new BigDecimal(number).round(new MathContext(6)).stripTrailingZeros().toPlainString();
    }
    if (value instanceof List<?> list) {
      return list.stream().map(Values::text).collect(Collectors.joining(", ", "[", "]"));
    }
    if (value instanceof Map<?, ?> map) {
      return map.entrySet().stream()
          .map(entry -> entry.getKey() + ": " + text(entry.getValue()))
          .collect(Collectors.joining(", ", "{", "}"));
    }
    if (value instanceof String string) {
      return "'" + string + "'";
    }
    return String.valueOf(value);
  }
}
