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
   * without building a map: the relay's path, once per published row. A flat object of strings
   * (what {@link #encode} writes and PostgreSQL's {@code jsonb} gives back) is read by hand;
   * anything else goes through Jackson, as {@link #decode} does.
   *
   * @throws IllegalArgumentException when the column does not hold a JSON object of strings
   */
  static void forEach(String json, BiConsumer<String, String> each) {
    if (json == null) {
      return;
    }
    String[] pairs = FlatObject.read(json);
    if (pairs != null) {
      for (int i = 0; i < pairs.length && pairs[i] != null; i += 2) {
        each.accept(pairs[i], pairs[i + 1]);
      }
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

  /**
   * Reads a JSON object whose values are all strings, such as {@code {"a": "b", "c": "d"}}: names
   * and values alternate in the array returned, followed by nulls. Returns null for anything else
   * (other values, invalid JSON), which the caller hands to Jackson.
   */
  static final class FlatObject {
    private final String s;
    private int i;

    private FlatObject(String s) {
      this.s = s;
    }

    static String[] read(String json) {
      return new FlatObject(json).object();
    }

    private String[] object() {
      String[] out = new String[16];
      int n = 0;
      space();
      if (!take('{')) {
        return null;
      }
      space();
      if (!take('}')) {
        while (true) {
          String name = string();
          space();
          if (name == null || !take(':')) {
            return null;
          }
          space();
          String value = string();
          if (value == null) {
            return null;
          }
          if (n + 2 > out.length) {
            out = java.util.Arrays.copyOf(out, out.length * 2);
          }
          out[n++] = name;
          out[n++] = value;
          space();
          if (take('}')) {
            break;
          }
          if (!take(',')) {
            return null;
          }
          space();
        }
      }
      space();
      return i == s.length() ? out : null;
    }

    private boolean take(char c) {
      if (i < s.length() && s.charAt(i) == c) {
        i++;
        return true;
      }
      return false;
    }

    private void space() {
      while (i < s.length()) {
        char c = s.charAt(i);
        if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
          return;
        }
        i++;
      }
    }

    private String string() {
      if (!take('"')) {
        return null;
      }
      int start = i;
      while (i < s.length()) {
        char c = s.charAt(i);
        if (c == '"') {
          return s.substring(start, i++);
        }
        if (c == '\\') {
          return escaped(start);
        }
        if (c < 0x20) {
          return null;
        }
        i++;
      }
      return null;
    }

    /** The rest of a string that holds an escape, from {@code start} (after the quote). */
    private String escaped(int start) {
      StringBuilder b = new StringBuilder(s.length() - start).append(s, start, i);
      while (i < s.length()) {
        char c = s.charAt(i++);
        if (c == '"') {
          return b.toString();
        }
        if (c < 0x20) {
          return null;
        }
        if (c != '\\') {
          b.append(c);
          continue;
        }
        if (i >= s.length()) {
          return null;
        }
        char e = s.charAt(i++);
        switch (e) {
          case '"':
          case '\\':
          case '/':
            b.append(e);
            break;
          case 'b':
            b.append('\b');
            break;
          case 'f':
            b.append('\f');
            break;
          case 'n':
            b.append('\n');
            break;
          case 'r':
            b.append('\r');
            break;
          case 't':
            b.append('\t');
            break;
          case 'u':
            if (i + 4 > s.length()) {
              return null;
            }
            int v = 0;
            for (int k = 0; k < 4; k++) {
              int d = Character.digit(s.charAt(i++), 16);
              if (d < 0) {
                return null;
              }
              v = v * 16 + d;
            }
            b.append((char) v);
            break;
          default:
            return null;
        }
      }
      return null;
    }
  }

  private static IllegalArgumentException notStrings() {
    return new IllegalArgumentException("stored headers are not a JSON object of strings");
  }
}
