package dev.keel.outbox.internal;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.keel.event.Event;
import dev.keel.event.EventHeaders;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The envelope fields that have no column of their own (source, time, content type, trace context,
 * extra headers), stored as one JSON object of strings in the {@code headers} column.
 */
final class StoredHeaders {
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final TypeReference<LinkedHashMap<String, String>> TYPE = new TypeReference<>() {};

  private StoredHeaders() {}

  static String encode(Event e) {
    Map<String, String> m = new LinkedHashMap<>();
    m.put(EventHeaders.OCCURRED_AT, e.occurredAt().toString());
    m.put(EventHeaders.SOURCE, e.source());
    m.put(EventHeaders.CONTENT_TYPE, e.contentType());
    e.traceParent().ifPresent(t -> m.put(EventHeaders.TRACEPARENT, t));
    m.putAll(e.headers());
    try {
      return MAPPER.writeValueAsString(m);
    } catch (IOException ex) {
      throw new UncheckedIOException(ex);
    }
  }

  /**
   * Reads the stored headers.
   *
   * @throws IllegalArgumentException when the column does not hold a JSON object of strings
   */
  static Map<String, String> decode(String json) {
    if (json == null) {
      return Map.of();
    }
    try {
      return MAPPER.readValue(json, TYPE);
    } catch (IOException ex) {
      throw new IllegalArgumentException("stored headers are not a JSON object of strings");
    }
  }
}
