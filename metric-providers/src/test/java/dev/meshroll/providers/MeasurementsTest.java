package dev.meshroll.providers;

import static org.assertj.core.api.Assertions.assertThat;

import com.jayway.jsonpath.JsonPath;
import dev.meshroll.api.Measurement;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MeasurementsTest {
  private static final String SOURCE = "prometheus at http://prometheus:9090";

  private static Measurement prometheus(String data) {
    return Measurements.fromPrometheus(
        SOURCE, 200, "{\"status\":\"success\",\"data\":" + data + "}");
  }

  @Test
  void scalarIsADouble() {
    assertThat(prometheus("{\"resultType\":\"scalar\",\"result\":[1700000000.1,\"0.25\"]}"))
        .isEqualTo(new Measurement.Value(0.25));
  }

  @Test
  void vectorIsTheListOfItsValuesInPrometheusOrder() {
    String vector =
        """
        {"resultType":"vector","result":[
          {"metric":{"service":"b"},"value":[1700000000.1,"3"]},
          {"metric":{"service":"a"},"value":[1700000000.1,"+Inf"]},
          {"metric":{"service":"c"},"value":[1700000000.1,"1e-3"]}]}
        """;

    assertThat(prometheus(vector))
        .isEqualTo(new Measurement.Value(List.of(3.0, Double.POSITIVE_INFINITY, 0.001)));
  }

  @Test
  void emptyVectorIsNoData() {
    assertThat(prometheus("{\"resultType\":\"vector\",\"result\":[]}"))
        .isEqualTo(new Measurement.NoData("query returned no series"));
  }

  @Test
  void nanIsNoDataNamingTheSeries() {
    String vector =
        """
        {"resultType":"vector","result":[
          {"metric":{"service":"a"},"value":[1700000000.1,"1"]},
          {"metric":{"__name__":"ratio","service":"b","code":"5xx"},"value":[1700000000.1,"NaN"]}]}
        """;

    assertThat(prometheus(vector))
        .isEqualTo(
            new Measurement.NoData(
                "query returned NaN for series ratio{service=\"b\",code=\"5xx\"}"));
    assertThat(prometheus("{\"resultType\":\"scalar\",\"result\":[1700000000.1,\"NaN\"]}"))
        .isEqualTo(new Measurement.NoData("query returned NaN"));
  }

  @Test
  void matrixAndStringAreErrors() {
    assertThat(prometheus("{\"resultType\":\"matrix\",\"result\":[]}"))
        .isEqualTo(
            new Measurement.Error(
                SOURCE
                    + ": query returned a range vector (matrix); expected an instant vector or a"
                    + " scalar (e.g. rate(x[5m]) rather than x[5m])"));
    assertThat(prometheus("{\"resultType\":\"string\",\"result\":[1700000000.1,\"s\"]}"))
        .isEqualTo(
            new Measurement.Error(
                SOURCE + ": query returned a string; expected an instant vector or a scalar"));
  }

  @Test
  void prometheusErrorKeepsItsOwnWords() {
    String refusal =
        "{\"status\":\"error\",\"errorType\":\"bad_data\",\"error\":\"invalid parameter \\\"query\\\":"
            + " 1:12: parse error: missing unit character in duration\"}";

    assertThat(Measurements.fromPrometheus(SOURCE, 400, refusal))
        .isEqualTo(
            new Measurement.Error(
                SOURCE
                    + ": bad_data: invalid parameter \"query\": 1:12: parse error: missing unit"
                    + " character in duration"));
  }

  @Test
  void answerThatIsNotPrometheusIsAnErrorWithItsStart() {
    assertThat(Measurements.fromPrometheus(SOURCE, 502, "<html>\n  Bad Gateway\n</html>"))
        .isEqualTo(new Measurement.Error(SOURCE + ": HTTP 502: <html> Bad Gateway </html>"));
    assertThat(Measurements.fromPrometheus(SOURCE, 200, "x".repeat(300)))
        .isEqualTo(
            new Measurement.Error(
                SOURCE + ": not an answer of Prometheus' query API: " + "x".repeat(200) + "…"));
  }

  @Test
  void jsonNumbersBecomeLongOrDouble() {
    String document =
        "[1, 9223372036854775807, 92233720368547758070, 2.5, 1e3, null, {\"a\": [0]}]";

    Measurement result =
        Measurements.fromJson("GET http://host/", 200, document, JsonPath.compile("$"));

    assertThat(result)
        .isEqualTo(
            new Measurement.Value(
                Arrays.asList(
                    1L,
                    Long.MAX_VALUE,
                    9.223372036854776E19,
                    2.5,
                    1000.0,
                    null,
                    Map.of("a", List.of(0L)))));
  }

  @Test
  void jsonNullIsNoData() {
    assertThat(Measurements.fromJson("GET http://host/", 200, "null", JsonPath.compile("$")))
        .isEqualTo(new Measurement.NoData("the response is JSON null"));
  }
}
