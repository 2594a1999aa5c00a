package dev.keel.consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keel.event.KeelConfigurationException;
import dev.keel.event.config.KeelDatabase;
import dev.keel.event.config.KeelKafka;
import dev.keel.event.config.KeelSettings;
import io.micrometer.observation.ObservationRegistry;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;

/** The {@code keel.consumer.*} keys reach the runtime; a wrong one names the key. */
class ConsumerRuntimeConfigurationTest {
  private final KeelDatabase db = KeelDatabase.builder().dataSource(new JdbcDataSource()).build();
  private final KeelKafka kafka = KeelKafka.builder().bootstrapServers("127.0.0.1:9").build();
  private final ListenerDefinition listener =
      ListenerDefinition.builder().topic("orders").group("billing").handler(d -> {}).build();

  @Test
  void runtimeObservesNothingByDefaultAndRefusesANullRegistry() {
    assertThat(
            ConsumerRuntime.builder()
                .database(db)
                .kafka(kafka)
                .listener(listener)
                .config()
                .observationRegistry())
        .isSameAs(ObservationRegistry.NOOP);
    assertThatThrownBy(
            () ->
                ConsumerRuntime.builder()
                    .database(db)
                    .kafka(kafka)
                    .listener(listener)
                    .observationRegistry(null)
                    .build())
        .isInstanceOf(KeelConfigurationException.class)
        .hasMessageContaining("ConsumerRuntime.observationRegistry");
  }

  @Test
  void everyConsumerKeyApplies() {
    Properties p = new Properties();
    p.setProperty("keel.consumer.threads", "2");
    p.setProperty("keel.consumer.max-in-flight", "50");
    p.setProperty("keel.consumer.max-batch-size", "10");
    p.setProperty("keel.consumer.retry-tiers", "1m,10m");
    p.setProperty("keel.consumer.dedupe-retention", "3d");
    p.setProperty("keel.consumer.cleanup-interval", "30s");
    p.setProperty("keel.consumer.cleanup-batch-size", "500");
    p.setProperty("keel.consumer.cleanup-max-rows-per-run", "10000");
    p.setProperty("keel.consumer.poll-timeout", "20ms");
    p.setProperty("keel.consumer.commit-interval", "1s");
    p.setProperty("keel.consumer.close-timeout", "5s");
    try (ConsumerRuntime runtime =
        ConsumerRuntime.fromProperties(KeelSettings.of(p))
            .database(db)
            .kafka(kafka)
            .listener(listener)
            .build()) {
      assertThat(runtime.dedupeRetention()).isEqualTo(Duration.ofDays(3));
      assertThat(runtime.retryTiers())
          .containsExactly(Duration.ofMinutes(1), Duration.ofMinutes(10));
    }
  }

  @Test
  void orderedModeKeyApplies() {
    // ordered mode and retry tiers exclude each other: the builder's own rule, reached by keys
    assertThatThrownBy(
            () ->
                ConsumerRuntime.fromProperties(
                        KeelSettings.of(
                            Map.of(
                                "keel.consumer.ordered-mode", "true",
                                "keel.consumer.retry-tiers", "1m")))
                    .database(db)
                    .kafka(kafka)
                    .listener(listener)
                    .build())
        .hasMessageStartingWith("ConsumerRuntime.retryTiers cannot be used with ordered mode");
  }

  @Test
  void badValuesAndUnknownKeysNameTheKey() {
    assertThatThrownBy(
            () ->
                ConsumerRuntime.fromProperties(
                    KeelSettings.of(Map.of("keel.consumer.threads", "0"))))
        .hasMessage("keel.consumer.threads must be between 1 and 256, was 0");
    assertThatThrownBy(
            () ->
                ConsumerRuntime.fromProperties(
                    KeelSettings.of(Map.of("keel.consumer.retry-tiers", "1m,soon"))))
        .hasMessageStartingWith("keel.consumer.retry-tiers must be a duration");
    assertThatThrownBy(
            () ->
                ConsumerRuntime.fromProperties(
                    KeelSettings.of(Map.of("keel.consumer.thread", "2"))))
        .hasMessageStartingWith("Unknown Keel configuration key(s) keel.consumer.thread;");
  }
}
