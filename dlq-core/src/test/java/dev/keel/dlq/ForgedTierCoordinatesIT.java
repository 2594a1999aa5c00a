package dev.keel.dlq;

import static dev.keel.dlq.testing.KafkaIo.header;
import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.dlq.kafka.KafkaFailedRecords;
import dev.keel.dlq.testing.KafkaIo;
import dev.keel.dlq.testing.ManualTime;
import dev.keel.event.FailureClass;
import dev.keel.retry.Failure;
import dev.keel.test.IsolatedDatabase;
import dev.keel.test.KafkaBroker;
import dev.keel.test.KeelTest;
import dev.keel.test.Topics;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

/**
 * A record in a delay tier whose original-position headers are forged or unusable is never merged
 * into the dead letter of another source record, and an unusable position is never attributed to
 * the source topic: the tier's own topic and position stay its identity through later tiers.
 */
@KeelTest
class ForgedTierCoordinatesIT {

  private static Failure failure(ManualTime time) {
    return Failure.once(
        "fulfil", FailureClass.TRANSIENT, new SocketTimeoutException("down"), time.now());
  }

  private static List<FailedRecord.Header> headers(UUID id, String... dlq) {
    List<FailedRecord.Header> h = new ArrayList<>(KafkaIo.envelope(id));
    for (int i = 0; i < dlq.length; i += 2) {
      h.add(FailedRecord.Header.of(dlq[i], dlq[i + 1]));
    }
    return h;
  }

  @Test
  void forgedInRangeCoordinatesPointingAtAnotherRecordGetARowOfTheirOwn(
      KafkaBroker broker, Topics topics, IsolatedDatabase db) {
    String topic = topics.create("picks", 1);
    String lastTier = RetryTiers.tierTopic(topic, 1);
    DeadLetterStore store = DeadLetterStore.builder().dataSource(db.dataSource()).build();
    store.install();
    ManualTime time = new ManualTime();
    Map<String, Object> props = Map.copyOf(broker.clientProperties());
    try (DeadLetterPublisher publisher =
            DeadLetterPublisher.builder().kafka(props).store(store).clock(time.clock()).build();
        RetryTiers tiers =
            RetryTiers.builder()
                .kafka(props)
                .delays(Duration.ofSeconds(5))
                .clock(time.clock())
                .build()) {
      // the source record at picks-0@4 was dead-lettered
      UUID realId = UUID.randomUUID();
      DeadLetter real =
          publisher.publish(
              new FailedRecord(topic, 0, 4, KafkaIo.utf8("a"), KafkaIo.utf8("A"), headers(realId)),
              failure(time));

      // another record in the last tier claims to come from picks-0@4
      FailedRecord forged =
          new FailedRecord(
              lastTier,
              0,
              9,
              KafkaIo.utf8("b"),
              KafkaIo.utf8("B"),
              headers(
                  UUID.randomUUID(),
                  DeadLetterHeaders.ORIGINAL_TOPIC,
                  topic,
                  DeadLetterHeaders.ORIGINAL_PARTITION,
                  "0",
                  DeadLetterHeaders.ORIGINAL_OFFSET,
                  "4"));
      TierRoute route = tiers.route(forged, failure(time));
      assertThat(route.forwarded()).isFalse();
      DeadLetter other = publisher.publish(route.original(), route.failure());

      assertThat(other.id()).isNotEqualTo(real.id());
      List<DeadLetter> rows = store.find(DeadLetterQuery.builder().topic(topic).build());
      assertThat(rows)
          .extracting(d -> new String(d.payload(), StandardCharsets.UTF_8))
          .containsExactly("A", "B");
      assertThat(store.get(real.id()).orElseThrow().eventId()).isEqualTo(realId.toString());

      // the same tier record dead-lettered again is still one row (a true duplicate)
      assertThat(publisher.publish(route.original(), route.failure()).id()).isEqualTo(other.id());
      assertThat(store.find(DeadLetterQuery.builder().topic(topic).build())).hasSize(2);
    }
  }

  @Test
  void unusableOrForeignCoordinatesKeepTheTierIdentityThroughLaterTiers(
      KafkaBroker broker, Topics topics, IsolatedDatabase db) {
    String topic = topics.create("packs", 1);
    String tier1 = RetryTiers.tierTopic(topic, 1);
    DeadLetterStore store = DeadLetterStore.builder().dataSource(db.dataSource()).build();
    store.install();
    ManualTime time = new ManualTime();
    Map<String, Object> props = Map.copyOf(broker.clientProperties());
    try (KafkaIo kafka = new KafkaIo(broker);
        RetryTiers tiers =
            RetryTiers.builder()
                .kafka(props)
                .delays(Duration.ofSeconds(5), Duration.ofSeconds(5))
                .clock(time.clock())
                .build()) {
      // tier 1 records: garbled position; in-range position but a foreign original topic
      FailedRecord garbled =
          new FailedRecord(
              tier1,
              0,
              12,
              KafkaIo.utf8("g"),
              KafkaIo.utf8("G"),
              headers(
                  UUID.randomUUID(),
                  DeadLetterHeaders.ORIGINAL_TOPIC,
                  topic,
                  DeadLetterHeaders.ORIGINAL_PARTITION,
                  "zero",
                  DeadLetterHeaders.ORIGINAL_OFFSET,
                  "4"));
      FailedRecord foreign =
          new FailedRecord(
              tier1,
              0,
              13,
              KafkaIo.utf8("f"),
              KafkaIo.utf8("F"),
              headers(
                  UUID.randomUUID(),
                  DeadLetterHeaders.ORIGINAL_TOPIC,
                  "payments-admin",
                  DeadLetterHeaders.ORIGINAL_PARTITION,
                  "0",
                  DeadLetterHeaders.ORIGINAL_OFFSET,
                  "4"));
      for (FailedRecord r : List.of(garbled, foreign)) {
        TierRoute route = tiers.route(r, failure(time));
        assertThat(route.forwarded()).isTrue();
        assertThat(route.original().topic()).isEqualTo(tier1);
        assertThat(route.original().offset()).isEqualTo(r.offset());
      }

      // in tier 2 the identity is still tier 1's position, never the source topic's
      List<ConsumerRecord<byte[], byte[]>> tier2 = kafka.readAll(RetryTiers.tierTopic(topic, 2), 2);
      assertThat(tier2).hasSize(2);
      for (ConsumerRecord<byte[], byte[]> r : tier2) {
        assertThat(header(r, DeadLetterHeaders.ORIGINAL_TOPIC)).isEqualTo(tier1);
        TierRoute last = tiers.route(KafkaFailedRecords.of(r), failure(time));
        assertThat(last.forwarded()).isFalse();
        assertThat(last.original().topic()).isEqualTo(tier1);
        assertThat(last.original().offset())
            .isEqualTo(header(r, "keel-dlq-original-offset").equals("12") ? 12L : 13L);
        assertThat(last.failure().attempts()).isEqualTo(3);
      }

      // a tier 2 record without any position headers keeps its own
      FailedRecord bare =
          new FailedRecord(
              RetryTiers.tierTopic(topic, 2),
              0,
              77,
              KafkaIo.utf8("n"),
              KafkaIo.utf8("N"),
              headers(UUID.randomUUID()));
      TierRoute route = tiers.route(bare, failure(time));
      assertThat(route.original().topic()).isEqualTo(RetryTiers.tierTopic(topic, 2));
      assertThat(route.original().partition()).isZero();
      assertThat(route.original().offset()).isEqualTo(77);
    }
  }
}
