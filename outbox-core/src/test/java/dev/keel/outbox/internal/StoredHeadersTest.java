package dev.keel.outbox.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class StoredHeadersTest {

  private static Map<String, String> streamed(String json) {
    Map<String, String> m = new LinkedHashMap<>();
    StoredHeaders.forEach(json, m::put);
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
      assertThat(streamed(json)).containsExactlyEntriesOf(StoredHeaders.decode(json));
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
          "not json"
        }) {
      assertThatThrownBy(() -> StoredHeaders.forEach(json, (k, v) -> {}))
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
        assertThat(streamed(json)).as(json).containsExactlyEntriesOf(StoredHeaders.decode(json));
      }
    }
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
