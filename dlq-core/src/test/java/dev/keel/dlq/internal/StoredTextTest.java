package dev.keel.dlq.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.dlq.FailedRecord;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** What may be stored as text, and headers JSON that gives back exactly what went in. */
class StoredTextTest {

  @Test
  void onlyValidUtf8WithoutNulIsPlainText() {
    assertThat(StoredText.plain("order-1".getBytes(StandardCharsets.UTF_8))).isEqualTo("order-1");
    assertThat(StoredText.plain(new byte[0])).isEmpty();
    assertThat(StoredText.plain("a\u0000b".getBytes(StandardCharsets.UTF_8))).isNull();
    assertThat(StoredText.plain(new byte[] {(byte) 0xc3, 0x28})).isNull();
  }

  @Test
  void keyTextIsUnambiguous() {
    assertThat(StoredText.key("k-1".getBytes(StandardCharsets.UTF_8))).isEqualTo("k-1");
    assertThat(StoredText.key(new byte[] {'k', 0})).isEqualTo("base64:awA=");
    // a text key that looks like an encoded one is encoded too, so no two keys show alike
    assertThat(StoredText.key("base64:awA=".getBytes(StandardCharsets.UTF_8)))
        .isEqualTo("base64:YmFzZTY0OmF3QT0=");
    assertThat(StoredText.key(null)).isNull();
  }

  @Test
  void cleanReplacesNulAndLoneSurrogatesOnly() {
    assertThat(StoredText.clean("a\u0000b\n\tc")).isEqualTo("a\uFFFDb\n\tc");
    assertThat(StoredText.clean("x\ud800y\udc00")).isEqualTo("x\uFFFDy\uFFFD");
    assertThat(StoredText.clean("\ud83d\ude00")).isEqualTo("\ud83d\ude00");
    assertThat(StoredText.clean(null)).isNull();
  }

  @Test
  void randomHeadersComeBackExactlyAndTheJsonHoldsNoNul() {
    long seed = 15_002L;
    Random random = new Random(seed);
    for (int round = 0; round < 500; round++) {
      List<FailedRecord.Header> headers = new ArrayList<>();
      int n = random.nextInt(6);
      for (int i = 0; i < n; i++) {
        StringBuilder name = new StringBuilder();
        for (int c = random.nextInt(6); c > 0; c--) {
          name.append(
              (char) (random.nextBoolean() ? random.nextInt(0x20) : 'a' + random.nextInt(26)));
        }
        byte[] value = random.nextInt(5) == 0 ? null : new byte[random.nextInt(20)];
        if (value != null) {
          random.nextBytes(value);
        }
        headers.add(new FailedRecord.Header(name.toString(), value));
      }
      for (boolean all : new boolean[] {false, true}) {
        String json = HeadersJson.encode(headers, all);
        assertThat(json).as("seed %d", seed).doesNotContain("\\u0000");
        assertThat(HeadersJson.decode(json)).as("seed %d", seed).containsExactlyElementsOf(headers);
      }
    }
  }
}
