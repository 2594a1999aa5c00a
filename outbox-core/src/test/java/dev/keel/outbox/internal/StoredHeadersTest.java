package dev.keel.outbox.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.keel.event.EventHeaders;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class StoredHeadersTest {

  private static Map<String, String> streamed(String json) {
    Map<String, String> m = new LinkedHashMap<>();
    StoredHeaders.forEach(
        json == null ? null : json.getBytes(StandardCharsets.UTF_8),
        (k, v) -> m.put(k, new String(v, StandardCharsets.UTF_8)));
    return m;
  }

  @Test
  void forEachReadsWhatDecodeReadsInStoredOrder() {
    for (String json :
        new String[] {
          "{}",
          "{\"keel-source\": \"orders\", \"keel-occurred-at\": \"2026-01-02T03:04:05Z\"}",
          "{\"z\":\"1\",\"a\":\"\\u00e9 \\\"quoted\\\"\",\"m\":\"\"}",
          "{\"n\": 5, \"b\": true}",
          " \t{ \"a\"\n:\r\"b\" ,\"c\":\"\\u0041\\n\\t\\/\\\\\\b\\f\\r\"\n} "
        }) {
      assertThat(streamed(json)).containsExactlyEntriesOf(decoded(json));
    }
    assertThat(streamed(null)).isEmpty();
  }

  @Test
  void forEachRefusesWhatIsNotAnObjectOfStrings() {
    for (String json :
        new String[] {
          "[]",
          "\"x\"",
          "{\"a\": {\"b\": \"c\"}}",
          "{\"a\": [\"b\"]}",
          "{\"a\": null}",
          "{\"a\": \"b\"",
          "{\"a\": \"b\"} {}",
          "{\"a\": \"b\",}",
          "{\"a\" \"b\"}",
          "{\"a\": \"b\" \"c\": \"d\"}",
          "{\"a\": \"b\"}}",
          "{,}",
          "{\"a\": \"b\u0001\"}".replace("\\u0001", "\u0001"),
          "",
          "   ",
          "not json"
        }) {
      assertThatThrownBy(
              () -> StoredHeaders.forEach(json.getBytes(StandardCharsets.UTF_8), (k, v) -> {}))
          .as(json)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("stored headers are not a JSON object of strings");
    }
  }

  @Test
  void forEachReadsWhatJacksonWritesAndWhatPostgresGivesBack() throws Exception {
    ObjectMapper mapper = new ObjectMapper();
    Random random = new Random(19);
    String alphabet = "ab\"\\/\n\t\r\b\f\u0001\u001f \u00e9\u20ac\ud83d\ude00:,{}[]";
    for (int round = 0; round < 2000; round++) {
      Map<String, String> m = new LinkedHashMap<>();
      int entries = random.nextInt(12);
      for (int e = 0; e < entries; e++) {
        m.put(text(random, alphabet), text(random, alphabet));
      }
      String compact = mapper.writeValueAsString(m);
      // PostgreSQL's jsonb output puts a space after each colon and comma
      String spaced = compact.replace("\":\"", "\": \"").replace("\",\"", "\", \"");
      for (String json : new String[] {compact, spaced}) {
        assertThat(streamed(json)).as(json).containsExactlyEntriesOf(decoded(json));
      }
    }
  }

  @Test
  void plainHeadersAreReadAsJacksonReadsThem() throws Exception {
    // Without escapes: the scan's own path, checked against Jackson on the same bytes
    ObjectMapper mapper = new ObjectMapper();
    Random random = new Random(7);
    String alphabet = "ab-_.:/ 09\u00e9\u20ac\ud83d\ude00,{}[]";
    for (int round = 0; round < 5000; round++) {
      Map<String, String> m = new LinkedHashMap<>();
      int entries = random.nextInt(20);
      for (int e = 0; e < entries; e++) {
        String name = random.nextBoolean() ? EventHeaders.OCCURRED_AT : text(random, alphabet);
        m.put(name, text(random, alphabet));
      }
      String compact = mapper.writeValueAsString(m);
      String spaced = compact.replace("\":\"", "\": \"").replace("\",\"", "\", \"");
      String loose = " \n{ " + spaced.substring(1, spaced.length() - 1) + "\t}\r\n";
      for (String json : new String[] {compact, spaced, loose}) {
        assertThat(StoredHeaders.scan(json.getBytes(StandardCharsets.UTF_8))).as(json).isNotNull();
        assertThat(streamed(json)).as(json).containsExactlyEntriesOf(decoded(json));
      }
    }
  }

  @Test
  void escapesAndOtherValuesAreLeftToTheParser() {
    for (String json :
        new String[] {
          "{\"a\": \"\\u0041\"}", "{\"a\": 5}", "{\"a\": true}", "{\"a\\n\": \"b\"}", "[]"
        }) {
      assertThat(StoredHeaders.scan(json.getBytes(StandardCharsets.UTF_8))).as(json).isNull();
    }
  }

  @Test
  void aKnownHeaderNameIsTheConstantItself() {
    String[] names = new String[1];
    StoredHeaders.forEach(
        "{\"keel-source\": \"orders\"}".getBytes(StandardCharsets.UTF_8), (k, v) -> names[0] = k);
    assertThat(names[0]).isSameAs(EventHeaders.SOURCE);
  }

  /**
   * What {@link StoredHeaders#decode} reads from the text the database would give back: stored text
   * is UTF-8, in which a lone surrogate (the random texts hold some) cannot be written.
   */
  private static Map<String, String> decoded(String json) {
    return StoredHeaders.decode(
        new String(json.getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8));
  }

  private static String text(Random random, String alphabet) {
    StringBuilder b = new StringBuilder();
    int n = random.nextInt(8);
    for (int i = 0; i < n; i++) {
      b.append(alphabet.charAt(random.nextInt(alphabet.length())));
    }
    return b.toString();
  }
}
