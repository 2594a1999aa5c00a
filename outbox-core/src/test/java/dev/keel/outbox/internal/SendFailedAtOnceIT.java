package dev.keel.outbox.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.keel.event.Event;
import dev.keel.event.kafka.KafkaRecords;
import dev.keel.event.sql.SchemaInstaller;
import dev.keel.event.support.PausePoints.Gate;
import dev.keel.outbox.Outbox;
import dev.keel.outbox.OutboxFixture;
import dev.keel.outbox.OutboxRelay;
import dev.keel.outbox.internal.RelayHooks.Point;
import dev.keel.test.IsolatedDatabase;
import dev.keel.test.KafkaBroker;
import dev.keel.test.KeelTest;
import dev.keel.test.TopicRecorder;
import dev.keel.test.Topics;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A send that Kafka's producer fails before it takes the record (here: the topic's metadata had not
 * come within {@code max.block.ms}, as for a producer created while the broker was away) must not
 * let the later rows of its key reach the topic ahead of it, even when the metadata arrives while
 * the pass is still sending. The worker is held right after the failed send until its producer has
 * the metadata, so that every later send of the pass would go through: the order on the topic is
 * then decided by the relay alone, not by timing.
 */
@KeelTest
class SendFailedAtOnceIT {
  private static final Duration WAIT = Duration.ofSeconds(30);

  @AfterEach
  void disarm() {
    RelayHooks.reset();
  }

  @Test
  void laterRowsOfTheFailedRowsKeyWaitForItInANonStrictLane(
      KafkaBroker broker, Topics topics, IsolatedDatabase db) throws Exception {
    check(broker, topics, db, false);
  }

  @Test
  void laterRowsOfTheFailedRowsKeyWaitForItInAStrictLane(
      KafkaBroker broker, Topics topics, IsolatedDatabase db) throws Exception {
    check(broker, topics, db, true);
  }

  private void check(KafkaBroker broker, Topics topics, IsolatedDatabase db, boolean strict)
      throws Exception {
    String topic = topics.create("failed-at-once", 3);
    SchemaInstaller.builder().dataSource(db.dataSource()).build().install("outbox");
    Outbox outbox = Outbox.builder().lanes(1).build();
    Map<String, List<String>> appended = new LinkedHashMap<>();
    try (Connection c = db.dataSource().getConnection()) {
      c.setAutoCommit(false);
      for (int i = 0; i < 40; i++) {
        String key = "k" + (i % 4);
        String payload = key + "#" + i;
        outbox.append(c, OutboxFixture.event(topic, key, payload));
        appended.computeIfAbsent(key, k -> new ArrayList<>()).add(payload);
      }
      c.commit();
    }

    Map<String, Object> producer = new HashMap<>(broker.clientProperties());
    // No wait for metadata: a new producer's first send to a topic fails at once, as one created
    // during an outage fails after max.block.ms.
    producer.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 0);
    List<Producer<byte[], byte[]>> producers = new CopyOnWriteArrayList<>();
    Gate failed = RelayHooks.pause(Point.SEND_FAILED_AT_ONCE, 1);
    try (TopicRecorder<Event> reader = new TopicRecorder<>(broker, topic, KafkaRecords::toEvent);
        OutboxRelay relay =
            OutboxRelay.builder()
                .dataSource(db.dataSource())
                .producerProperties(producer)
                .lanes(1)
                .workers(1)
                .strictOrdering(strict)
                .pollInterval(Duration.ofMillis(50))
                .backoff(Duration.ofMillis(50), Duration.ofMillis(500))
                .closeTimeout(Duration.ofSeconds(10))
                .build()) {
      ((DefaultOutboxRelay) relay)
          .useClients(
              new RelayClients() {
                @Override
                public Producer<byte[], byte[]> producer(Map<String, Object> settings) {
                  Producer<byte[], byte[]> p = new KafkaProducer<>(settings);
                  producers.add(p);
                  return p;
                }

                @Override
                public Optional<Admin> admin(Map<String, Object> settings) {
                  return RelayClients.KAFKA.admin(settings);
                }
              });
      relay.start();

      assertThat(failed.awaitArrivals(1, WAIT))
          .as("the pass's first send failed before Kafka took it")
          .isTrue();
      // Every later send of this pass now finds the topic's metadata and would be taken at once.
      Producer<byte[], byte[]> worker = producers.get(producers.size() - 1);
      await().atMost(WAIT).ignoreExceptions().until(() -> worker.partitionsFor(topic).size() == 3);
      failed.release();

      await().atMost(WAIT).until(() -> distinct(reader.values()).size() == 40);
      Map<String, List<String>> firstSeen = new LinkedHashMap<>();
      for (String payload : distinct(reader.values())) {
        firstSeen.computeIfAbsent(payload.split("#")[0], k -> new ArrayList<>()).add(payload);
      }
      assertThat(firstSeen).as("each key's events, first delivery order").isEqualTo(appended);
    }
  }

  private static List<String> distinct(List<Event> events) {
    return events.stream()
        .map(e -> new String(e.payload(), StandardCharsets.UTF_8))
        .distinct()
        .toList();
  }
}
