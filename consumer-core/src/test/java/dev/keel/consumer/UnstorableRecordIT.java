package dev.keel.consumer;

import static dev.keel.consumer.Fixture.counter;
import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.consumer.Fixture.Item;
import dev.keel.dlq.DeadLetter;
import dev.keel.dlq.DeadLetterQuery;
import dev.keel.dlq.DeadLetterStore;
import dev.keel.event.Event;
import dev.keel.event.FailureClass;
import dev.keel.event.NonRetriableKeelException;
import dev.keel.event.kafka.KafkaRecords;
import dev.keel.retry.RetryPolicy;
import dev.keel.test.IsolatedDatabase;
import dev.keel.test.KafkaBroker;
import dev.keel.test.KeelTest;
import dev.keel.test.Topics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.junit.jupiter.api.Test;

/**
 * Issue 15 item 2: one record whose key or header holds U+0000 (which PostgreSQL text and jsonb
 * refuse) used to stall its partition forever while {@code <topic>.dlq} grew with every retry. It
 * is now dead-lettered (or parked) once and the partition moves on.
 */
@KeelTest
class UnstorableRecordIT {
  private static final Duration BOUND = Duration.ofSeconds(30);
  private static final byte[] NUL_KEY = "x\u0000y".getBytes(StandardCharsets.UTF_8);
  private static final RetryPolicy FAST =
      RetryPolicy.builder()
          .maxAttempts(3)
          .initialDelay(Duration.ofMillis(10))
          .maxDelay(Duration.ofMillis(50))
          .build();

  private static ListenerDefinition listener(String topic, String group) {
    return ListenerDefinition.builder()
        .topic(topic)
        .group(group)
        .payloadType(Item.class)
        .handler(
            d -> {
              if (d.event().headers().containsKey("note")) {
                throw new NonRetriableKeelException(FailureClass.BUSINESS, "refused");
              }
            })
        .build();
  }

  private static ProducerRecord<byte[], byte[]> withNulHeader(String topic, byte[] key, int seq) {
    ProducerRecord<byte[], byte[]> r =
        KafkaRecords.toProducerRecord(Fixture.event(topic, "any", seq));
    r.headers().add(new RecordHeader("note", "a\u0000b".getBytes(StandardCharsets.UTF_8)));
    return new ProducerRecord<>(topic, null, key, r.value(), r.headers());
  }

  @Test
  void aNulKeyOrHeaderIsDeadLetteredOnceAndThePartitionMovesOn(
      KafkaBroker broker, Topics topics, IsolatedDatabase db) throws Exception {
    String topic = topics.create("nul", 1);
    String group = Fixture.group();
    try (KafkaProducer<byte[], byte[]> p = Fixture.producer(broker)) {
      Fixture.sendRaw(p, new ProducerRecord<>(topic, NUL_KEY, "not an event".getBytes()));
      Fixture.sendRaw(p, withNulHeader(topic, "k".getBytes(), 1));
      Event good = Fixture.event(topic, "good", 2);
      Fixture.sendRaw(p, KafkaRecords.toProducerRecord(good));
    }
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    try (ConsumerRuntime runtime =
        Fixture.runtime(broker, db.dataSource())
            .retryPolicy(FAST)
            .meterRegistry(meters)
            .listener(listener(topic, group))
            .build()) {
      runtime.start();
      Fixture.awaitOrExplain(
          BOUND,
          () -> Fixture.committedTotal(broker, group) == 3,
          () -> "committed " + committedQuietly(broker, group, topic) + " of 3");
      assertThat(counter(meters, group, "dead_lettered")).isEqualTo(2);
      assertThat(counter(meters, group, "processed")).isEqualTo(1);
    }
    assertThat(Fixture.endOffsetsTotal(broker, topic + ".dlq", 1)).isEqualTo(2);
    List<DeadLetter> dead =
        DeadLetterStore.builder()
            .dataSource(db.dataSource())
            .build()
            .find(DeadLetterQuery.builder().topic(topic).build());
    assertThat(dead).hasSize(2);
    assertThat(dead.get(0).key()).isEqualTo(NUL_KEY);
    assertThat(dead.get(1).headers())
        .anySatisfy(
            h -> {
              assertThat(h.name()).isEqualTo("note");
              assertThat(h.value()).isEqualTo("a\u0000b".getBytes(StandardCharsets.UTF_8));
            });
  }

  @Test
  void inOrderedModeALaterRecordOfTheBlockedNulKeyIsParkedAndThePartitionMovesOn(
      KafkaBroker broker, Topics topics, IsolatedDatabase db) throws Exception {
    String topic = topics.create("nul-ordered", 1);
    String group = Fixture.group();
    try (KafkaProducer<byte[], byte[]> p = Fixture.producer(broker)) {
      Fixture.sendRaw(p, new ProducerRecord<>(topic, NUL_KEY, "not an event".getBytes()));
      Fixture.sendRaw(p, withNulHeader(topic, NUL_KEY, 1));
      Fixture.sendRaw(p, KafkaRecords.toProducerRecord(Fixture.event(topic, "good", 2)));
    }
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    try (ConsumerRuntime runtime =
        Fixture.runtime(broker, db.dataSource())
            .retryPolicy(FAST)
            .orderedMode(true)
            .meterRegistry(meters)
            .listener(listener(topic, group))
            .build()) {
      runtime.start();
      Fixture.awaitOrExplain(
          BOUND,
          () -> Fixture.committedTotal(broker, group) == 3,
          () -> "committed " + committedQuietly(broker, group, topic) + " of 3");
      assertThat(counter(meters, group, "dead_lettered")).isEqualTo(1);
      assertThat(counter(meters, group, "parked")).isEqualTo(1);
      assertThat(counter(meters, group, "processed")).isEqualTo(1);
    }
    assertThat(Fixture.endOffsetsTotal(broker, topic + ".dlq", 1)).isEqualTo(1);
    var parked =
        DeadLetterStore.builder()
            .dataSource(db.dataSource())
            .build()
            .parked(group, topic, new String(NUL_KEY, StandardCharsets.UTF_8));
    assertThat(parked).hasSize(1);
    assertThat(parked.get(0).record().lastHeader("note"))
        .isEqualTo("a\u0000b".getBytes(StandardCharsets.UTF_8));
  }

  private static String committedQuietly(KafkaBroker broker, String group, String topic) {
    try {
      return Fixture.committedTotal(broker, group)
          + ", "
          + topic
          + ".dlq holds "
          + Fixture.endOffsetsTotal(broker, topic + ".dlq", 1)
          + " record(s)";
    } catch (Exception e) {
      return e.toString();
    }
  }
}
