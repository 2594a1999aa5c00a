package dev.keel.outbox.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.LinkedHashMap;
import java.util.Map;
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
          "{\"n\": 5, \"b\": true}"
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
}
