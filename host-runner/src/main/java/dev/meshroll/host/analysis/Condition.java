package dev.meshroll.host.analysis;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;
import dev.cel.common.CelAbstractSyntaxTree;
import dev.cel.common.CelException;
import dev.cel.common.CelIssue;
import dev.cel.common.CelOptions;
import dev.cel.common.CelValidationException;
import dev.cel.common.types.SimpleType;
import dev.cel.common.values.NullValue;
import dev.cel.compiler.CelCompiler;
import dev.cel.compiler.CelCompilerFactory;
import dev.cel.parser.CelStandardMacro;
import dev.cel.runtime.CelEvaluationException;
import dev.cel.runtime.CelRuntime;
import dev.cel.runtime.CelRuntimeFactory;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * A metric's success or failure condition: a CEL expression over {@code result}, compiled and
 * type-checked when its AnalysisTemplate is loaded, so that a typo is refused with its position
 * instead of failing a measurement in the middle of a rollout.
 */
public final class Condition {
  // Prometheus gives doubles and users write `result < 1`: int and double must compare.
  private static final CelOptions OPTIONS =
      CelOptions.current().enableHeterogeneousNumericComparisons(true).build();
  private static final CelCompiler COMPILER =
      CelCompilerFactory.standardCelCompilerBuilder()
          .setOptions(OPTIONS)
          .setStandardMacros(CelStandardMacro.STANDARD_MACROS)
          .addVar("result", SimpleType.DYN)
          .build();
  private static final CelRuntime RUNTIME =
      CelRuntimeFactory.standardCelRuntimeBuilder().setOptions(OPTIONS).build();

  private final String expression;
  private final CelRuntime.Program program;

  private Condition(String expression, CelRuntime.Program program) {
    this.expression = expression;
    this.program = program;
  }

  /**
   * Compiles {@code expression}.
   *
   * @throws IllegalArgumentException with every problem and its position, e.g. {@code column 8:
   *     undeclared reference to 'reslt'}
   */
  public static Condition compile(String expression) {
    CelAbstractSyntaxTree ast;
    try {
      ast = COMPILER.compile(expression).getAst();
    } catch (CelValidationException e) {
      throw new IllegalArgumentException(describe(expression, e.getErrors()), e);
    }
    if (!ast.getResultType().equals(SimpleType.BOOL)
        && !ast.getResultType().equals(SimpleType.DYN)) {
      throw new IllegalArgumentException(
          "gives " + ast.getResultType().name() + ", not the bool a condition needs");
    }
    try {
      return new Condition(expression, RUNTIME.createProgram(ast));
    } catch (RuntimeException | CelException e) {
      throw new IllegalArgumentException(e.getMessage(), e);
    }
  }

  private static String describe(String expression, List<CelIssue> issues) {
    boolean multiline = expression.contains("\n");
    return issues.stream()
        .map(
            issue -> {
              var location = issue.getSourceLocation();
              String where =
                  (multiline ? "line " + location.getLine() + ", " : "")
                      + "column "
                      + (location.getColumn() + 1);
              return where + ": " + issue.getMessage();
            })
        .collect(Collectors.joining("; "));
  }

  /**
   * Evaluates the condition for one measured value.
   *
   * @throws IllegalArgumentException when the value does not fit the expression (no such key, an
   *     index past the end, a comparison of a string with a number) or the result is not a bool
   */
  public boolean test(Object result) {
    Object value;
    try {
      value = program.eval(Map.of("result", toCel(result)));
    } catch (CelEvaluationException e) {
      // CEL says "evaluation error at <input>:6: key 'p99' is not present in map".
      throw new IllegalArgumentException(
          e.getMessage().replaceFirst("^evaluation error at <input>:\\d+: ", ""), e);
    }
    if (value instanceof Boolean verdict) {
      return verdict;
    }
    throw new IllegalArgumentException("gave " + value + ", not a bool");
  }

  /** Java values as CEL's runtime takes them: whole numbers as long, the rest as double. */
  private static Object toCel(Object value) {
    if (value == null) {
      return NullValue.NULL_VALUE;
    }
    if (value instanceof Integer || value instanceof Short || value instanceof Byte) {
      return ((Number) value).longValue();
    }
    if (value instanceof BigInteger big) {
      return big.bitLength() < 64 ? big.longValue() : big.doubleValue();
    }
    if (value instanceof Float || value instanceof BigDecimal) {
      return ((Number) value).doubleValue();
    }
    if (value instanceof List<?> list) {
      return list.stream().map(Condition::toCel).collect(ImmutableList.toImmutableList());
    }
    if (value instanceof Map<?, ?> map) {
      ImmutableMap.Builder<Object, Object> copy = ImmutableMap.builder();
      map.forEach((key, item) -> copy.put(toCel(key), toCel(item)));
      return copy.buildOrThrow();
    }
    return value;
  }

  public String expression() {
    return expression;
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof Condition that && that.expression.equals(expression);
  }

  @Override
  public int hashCode() {
    return expression.hashCode();
  }

  @Override
  public String toString() {
    return expression;
  }
}
