package dev.keel.dlq.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.dlq.DeadLetters;
import dev.keel.event.config.ConfigKey;
import org.junit.jupiter.api.Test;

/**
 * A dead-letters builder left alone holds {@link ConfigKey}'s defaults: a default changed on one
 * side only fails here.
 */
class ConfigKeyDefaultsTest {
  @Test
  void deadLettersBuilderStartsFromTheKeys() {
    DefaultDeadLetters.Builder b = (DefaultDeadLetters.Builder) DeadLetters.builder();
    assertThat(b.configuredReplayRate())
        .isEqualTo(ConfigKey.DLQ_REPLAY_RATE.doubleDefault())
        .isEqualTo(50.0);
    assertThat(b.configuredTimeout()).isEqualTo(ConfigKey.DLQ_TIMEOUT.durationDefault());
    assertThat(ConfigKey.DLQ_ALLOWED_TARGETS.defaultValue()).contains("");
  }
}
