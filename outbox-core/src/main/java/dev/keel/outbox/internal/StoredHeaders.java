package dev.keel.outbox.internal;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.keel.event.Event;
import dev.keel.event.EventHeaders;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * The envelope fields that have no column of their own (source, time, content type, trace context,
 * extra headers), stored as one JSON object of strings in the {@code headers} column.
 */
final class StoredHeaders {
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final TypeReference<LinkedHashMap<String, String>> TYPE = new TypeReference<>() {};
  private static final JsonFactory FACTORY = MAPPER.getFactory();

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

  /**
   * Hands each stored header to {@code each}, in stored order, as {@link #decode} would read them,
   * without building a map: the relay's path, once per published row, on Jackson's streaming
   * parser.
   *
   * @throws IllegalArgumentException when the column does not hold a JSON object of strings
   */
  static void forEach(String json, BiConsumer<String, String> each) {
    if (json == null) {
      return;
    }
    try (JsonParser p = FACTORY.createParser(json)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        throw notStrings();
      }
      JsonToken t;
      while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
        String name = p.currentName();
        JsonToken v = p.nextToken();
        if (v == null || !v.isScalarValue() || v == JsonToken.VALUE_NULL) {
          throw notStrings();
        }
        each.accept(name, p.getText());
      }
      if (t != JsonToken.END_OBJECT || p.nextToken() != null) {
        throw notStrings();
      }
    } catch (IOException ex) {
      throw notStrings();
    }
  }

  private static IllegalArgumentException notStrings() {
    return new IllegalArgumentException("stored headers are not a JSON object of strings");
  }
}
