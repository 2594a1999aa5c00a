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
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
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

  /** The envelope's own header names, as stored: a stored name equal to one is not copied. */
  private static final String[] KNOWN = {
    EventHeaders.OCCURRED_AT,
    EventHeaders.SOURCE,
    EventHeaders.CONTENT_TYPE,
    EventHeaders.TRACEPARENT,
    EventHeaders.SAGA_ID,
    EventHeaders.SAGA_STEP
  };

  private static final byte[][] KNOWN_BYTES = new byte[KNOWN.length][];

  static {
    for (int i = 0; i < KNOWN.length; i++) {
      KNOWN_BYTES[i] = KNOWN[i].getBytes(StandardCharsets.UTF_8);
    }
  }

  /**
   * Hands each stored header to {@code each}, in stored order, as {@link #decode} would read them
   * (values as UTF-8), without building a map: the relay's path, once per published row.
   *
   * <p>The common shape, a flat object of strings without escape sequences (what {@link #encode}
   * and PostgreSQL's jsonb give back for ordinary headers), is read by a scan of the bytes that
   * copies each value's bytes as they are; anything else (an escape, a number, a nested value,
   * malformed input) is read by Jackson's streaming parser, which also decides what is refused.
   *
   * @param json the stored headers as UTF-8, or null
   * @throws IllegalArgumentException when the column does not hold a JSON object of strings
   */
  static void forEach(byte[] json, BiConsumer<String, byte[]> each) {
    if (json == null) {
      return;
    }
    int[] spans = scan(json);
    if (spans == null) {
      parse(json, each);
      return;
    }
    for (int i = 1; i < spans[0]; i += 4) {
      each.accept(
          name(json, spans[i], spans[i + 1]), Arrays.copyOfRange(json, spans[i + 2], spans[i + 3]));
    }
  }

  /**
   * The spans of a flat object of plain strings: element 0 is the used length, then (name start,
   * name end, value start, value end) per entry; null when the input is anything else.
   */
  static int[] scan(byte[] b) {
    int[] spans = new int[1 + 4 * 8];
    int used = 1;
    int i = blank(b, 0);
    if (i >= b.length || b[i] != '{') {
      return null;
    }
    i = blank(b, i + 1);
    if (i < b.length && b[i] == '}') {
      spans[0] = used;
      return blank(b, i + 1) == b.length ? spans : null;
    }
    while (true) {
      if (used + 4 > spans.length) {
        spans = Arrays.copyOf(spans, spans.length * 2);
      }
      int nameEnd = plainString(b, i);
      if (nameEnd < 0) {
        return null;
      }
      spans[used] = i + 1;
      spans[used + 1] = nameEnd;
      i = blank(b, nameEnd + 1);
      if (i >= b.length || b[i] != ':') {
        return null;
      }
      i = blank(b, i + 1);
      int valueEnd = plainString(b, i);
      if (valueEnd < 0) {
        return null;
      }
      spans[used + 2] = i + 1;
      spans[used + 3] = valueEnd;
      used += 4;
      i = blank(b, valueEnd + 1);
      if (i >= b.length) {
        return null;
      }
      if (b[i] == '}') {
        spans[0] = used;
        return blank(b, i + 1) == b.length ? spans : null;
      }
      if (b[i] != ',') {
        return null;
      }
      i = blank(b, i + 1);
    }
  }

  /**
   * The index of the closing quote of a string starting at {@code i}, or -1 when there is none or
   * the string holds an escape or a control character (left to the parser).
   */
  private static int plainString(byte[] b, int i) {
    if (i >= b.length || b[i] != '"') {
      return -1;
    }
    for (int j = i + 1; j < b.length; j++) {
      byte c = b[j];
      if (c == '"') {
        return j;
      }
      if (c == '\\' || (c >= 0 && c < 0x20)) {
        return -1;
      }
    }
    return -1;
  }

  /** The first index at or after {@code i} that is not JSON whitespace. */
  private static int blank(byte[] b, int i) {
    while (i < b.length && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r')) {
      i++;
    }
    return i;
  }

  private static String name(byte[] b, int from, int to) {
    int length = to - from;
    for (int k = 0; k < KNOWN_BYTES.length; k++) {
      byte[] known = KNOWN_BYTES[k];
      if (known.length == length && Arrays.equals(known, 0, length, b, from, to)) {
        return KNOWN[k];
      }
    }
    return new String(b, from, length, StandardCharsets.UTF_8);
  }

  /** The general case, on Jackson's streaming parser. */
  private static void parse(byte[] json, BiConsumer<String, byte[]> each) {
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
        each.accept(name, p.getText().getBytes(StandardCharsets.UTF_8));
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
