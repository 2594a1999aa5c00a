package dev.keel.outbox.lean;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.keel.event.Event;
import dev.keel.event.kafka.KafkaRecords;
import dev.keel.test.KafkaBroker;
import dev.keel.test.KeelTest;
import dev.keel.test.TopicRecorder;
import dev.keel.test.Topics;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The relay publishes from a database other than PostgreSQL with neither the PostgreSQL driver nor
 * HikariCP on the class path: the LISTEN path and the owned pool load only when used (issue #18).
 */
@KeelTest
class LeanClassPathIT {

  @Test
  void relayPublishesFromH2WithoutPgjdbcOrHikari(KafkaBroker broker, Topics topics)
      throws Exception {
    String topic = topics.create("orders", 2);
    Map<String, String> kafka = new HashMap<>();
    broker.clientProperties().forEach((k, v) -> kafka.put(k, String.valueOf(v)));
    kafka.put("topic", topic);
    try (HidingClassPath cp = new HidingClassPath(HidingClassPath.PGJDBC, HidingClassPath.HIKARI);
        TopicRecorder<Event> published =
            new TopicRecorder<>(broker, topic, KafkaRecords::toEvent)) {
      assertThat(cp.sees("org.postgresql.PGConnection")).isFalse();
      assertThat(cp.sees("com.zaxxer.hikari.HikariDataSource")).isFalse();

      Map.Entry<List<String>, AutoCloseable> run = cp.run(LeanOutboxApp.RelayOnH2.class, kafka);
      try (AutoCloseable relay = run.getValue()) {
        await()
            .atMost(Duration.ofSeconds(60))
            .untilAsserted(
                () ->
                    assertThat(published.values())
                        .extracting(e -> e.id().toString())
                        .containsExactlyInAnyOrderElementsOf(run.getKey()));
      }
    }
  }
}
