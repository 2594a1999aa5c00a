package dev.keel.dlq.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.dlq.testing.ManualTime;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class PacerTest {

  @Test
  void spacesActionsByTheRate() {
    ManualTime time = new ManualTime();
    Pacer pacer = new Pacer(4, time.clock(), time.sleeper());
    for (int i = 0; i < 5; i++) {
      pacer.acquire();
    }
    assertThat(time.sleeps()).hasSize(4).allMatch(d -> d.equals(Duration.ofMillis(250)));
    // time passing on its own counts toward the next slot
    time.advance(Duration.ofSeconds(1));
    pacer.acquire();
    assertThat(time.sleeps()).hasSize(4);
  }

  @Test
  void cutsMessagesOnCharacterBoundaries() {
    String s = "é".repeat(10); // 2 bytes each
    assertThat(DefaultDeadLetterPublisher.cut(s, 5)).isEqualTo("éé");
    assertThat(DefaultDeadLetterPublisher.cut("abc", 5)).isEqualTo("abc");
  }
}
