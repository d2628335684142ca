package dev.meshroll.host.state;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.datatype.jdk8.Jdk8Module;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.meshroll.host.engine.RolloutStatus;

/**
 * The JSON form of a {@link RolloutStatus}, as the state folder stores it. Strict on reading: a
 * field it does not know, or one missing, is an error, so that a damaged file is noticed rather
 * than half-read.
 */
public final class StatusJson {
  private static final ObjectMapper JSON =
      JsonMapper.builder()
          .addModule(new JavaTimeModule())
          .addModule(new Jdk8Module())
          .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
          .enable(SerializationFeature.INDENT_OUTPUT)
          .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .enable(DeserializationFeature.FAIL_ON_NULL_CREATOR_PROPERTIES)
          .enable(DeserializationFeature.FAIL_ON_MISSING_CREATOR_PROPERTIES)
          .build();

  private StatusJson() {}

  public static String write(RolloutStatus status) {
    try {
      return JSON.writeValueAsString(status);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a status is plain data and always serializes", e);
    }
  }

  /**
   * Reads a status back.
   *
   * @throws IllegalArgumentException naming what is wrong, when the text is not a whole status
   */
  public static RolloutStatus read(String json) {
    try {
      return JSON.readValue(json, RolloutStatus.class);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("not a rollout status: " + e.getOriginalMessage(), e);
    }
  }
}
