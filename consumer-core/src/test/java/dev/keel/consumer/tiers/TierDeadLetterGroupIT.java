package dev.keel.consumer.tiers;

import static dev.keel.dlq.testing.KafkaIo.header;
import static dev.keel.dlq.testing.KafkaIo.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.keel.dlq.DeadLetter;
import dev.keel.dlq.DeadLetterHeaders;
import dev.keel.dlq.DeadLetterPublisher;
import dev.keel.dlq.DeadLetterQuery;
import dev.keel.dlq.DeadLetterStore;
import dev.keel.dlq.FailedRecord;
import dev.keel.dlq.RetryTiers;
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
 * A record dead-lettered after the last delay tier is stored under the group it first failed in,
 * not under the tier consumer's group ({@code <group>.retry}), and keeps that group from tier to
 * tier; a forged {@code keel-dlq-group} header can neither file it under another group nor block a
 * key of another group.
 */
@KeelTest
class TierDeadLetterGroupIT {

  private static Failure failure(String group, ManualTime time) {
    return Failure.once(
        group, FailureClass.TRANSIENT, new SocketTimeoutException("smtp"), time.now());
  }

  @Test
  void aRecordDeadLetteredAfterTheLastTierIsStoredUnderItsOriginalGroup(
      KafkaBroker broker, Topics topics, IsolatedDatabase db) {
    String topic = topics.create("emails", 1);
    DeadLetterStore store = DeadLetterStore.builder().dataSource(db.dataSource()).build();
    store.install();
    ManualTime time = new ManualTime();
    Map<String, Object> props = Map.copyOf(broker.clientProperties());
    try (KafkaIo kafka = new KafkaIo(broker);
        DeadLetterPublisher publisher =
            DeadLetterPublisher.builder()
                .kafka(props)
                .store(store)
                .orderedMode(true)
                .clock(time.clock())
                .build();
        RetryTiers tiers =
            RetryTiers.builder()
                .kafka(props)
                .delays(Duration.ofSeconds(5), Duration.ofSeconds(5))
                .clock(time.clock())
                .build()) {
      // the source consumer "mailer" moved R to tier 1
      FailedRecord source =
          new FailedRecord(
              topic, 0, 3, utf8("k-r"), utf8("R"), KafkaIo.envelope(UUID.randomUUID()));
      assertThat(tiers.route(source, failure("mailer", time)).tier()).isEqualTo(1);
      // someone else wrote F to tier 1, claiming it failed in the payments group
      List<FailedRecord.Header> forged = new ArrayList<>(KafkaIo.envelope(UUID.randomUUID()));
      forged.add(FailedRecord.Header.of(DeadLetterHeaders.GROUP, "payments"));
      kafka.send(RetryTiers.tierTopic(topic, 1), "k-f", utf8("F"), forged);

      // built as the consumer runtime builds it: group "<group>.retry", nothing else said
      try (RetryTierConsumer tierConsumer =
          RetryTierConsumer.builder()
              .kafka(props)
              .group("mailer.retry")
              .sourceTopics(List.of(topic))
              .tiers(tiers)
              .publisher(publisher)
              .clock(time.clock())
              .handler(
                  r -> {
                    throw new SocketTimeoutException("smtp again");
                  })
              .build()
              .start()) {
        assertThat(tierConsumer.originalGroup()).isEqualTo("mailer");
        await().atMost(Duration.ofSeconds(20)).until(() -> tierConsumer.pausedPartitions() == 1);
        time.advance(Duration.ofSeconds(5));
        List<ConsumerRecord<byte[], byte[]>> tier2 =
            kafka.readAll(RetryTiers.tierTopic(topic, 2), 2);
        assertThat(tier2).hasSize(2);
        for (ConsumerRecord<byte[], byte[]> r : tier2) {
          assertThat(header(r, DeadLetterHeaders.GROUP)).as("tier 2 keeps it").isEqualTo("mailer");
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> tierConsumer.pausedPartitions() == 1);
        time.advance(Duration.ofSeconds(5));
        await().atMost(Duration.ofSeconds(20)).until(() -> store.count(DeadLetterQuery.all()) == 2);
      }

      List<DeadLetter> mailer = store.find(DeadLetterQuery.builder().group("mailer").build());
      assertThat(mailer)
          .extracting(d -> new String(d.payload(), StandardCharsets.UTF_8))
          .containsExactlyInAnyOrder("R", "F");
      assertThat(mailer).allSatisfy(d -> assertThat(d.attempts()).isEqualTo(3));
      assertThat(store.find(DeadLetterQuery.builder().group("mailer.retry").build())).isEmpty();
      assertThat(store.find(DeadLetterQuery.builder().group("payments").build())).isEmpty();
      assertThat(store.blockedKeys("payments")).as("no key of another group blocked").isZero();
      assertThat(store.isBlocked("mailer", topic, utf8("k-r"))).isTrue();
      // F had no position of the source topic: it keeps its tier 1 identity
      String tier1 = RetryTiers.tierTopic(topic, 1);
      assertThat(store.isBlocked("mailer", tier1, utf8("k-f"))).isTrue();
      for (String dlq : List.of(topic + ".dlq", tier1 + ".dlq")) {
        assertThat(kafka.readAll(dlq, 1))
            .singleElement()
            .satisfies(c -> assertThat(header(c, DeadLetterHeaders.GROUP)).isEqualTo("mailer"));
      }
    }
  }

  @Test
  void aTierConsumerNamedOtherwiseIsToldItsOriginalGroup(
      KafkaBroker broker, Topics topics, IsolatedDatabase db) {
    String topic = topics.create("invoices", 1);
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
      FailedRecord source =
          new FailedRecord(
              topic, 0, 8, utf8("i-1"), utf8("I"), KafkaIo.envelope(UUID.randomUUID()));
      tiers.route(source, failure("billing", time));
      try (RetryTierConsumer tierConsumer =
          RetryTierConsumer.builder()
              .kafka(props)
              .group("billing-tiers")
              .originalGroup("billing")
              .sourceTopics(List.of(topic))
              .tiers(tiers)
              .publisher(publisher)
              .clock(time.clock())
              .handler(
                  r -> {
                    throw new SocketTimeoutException("down");
                  })
              .build()
              .start()) {
        await().atMost(Duration.ofSeconds(20)).until(() -> tierConsumer.pausedPartitions() == 1);
        time.advance(Duration.ofSeconds(5));
        await()
            .atMost(Duration.ofSeconds(20))
            .until(() -> !store.find(DeadLetterQuery.all()).isEmpty());
      }
      DeadLetter d = store.find(DeadLetterQuery.all()).get(0);
      assertThat(d.group()).isEqualTo("billing");
      assertThat(d.topic()).isEqualTo(topic);
      assertThat(d.offset()).isEqualTo(8);
    }
  }
}
