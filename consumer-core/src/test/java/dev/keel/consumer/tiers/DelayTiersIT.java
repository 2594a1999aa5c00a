package dev.keel.consumer.tiers;

import static dev.keel.dlq.testing.KafkaIo.header;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.keel.dlq.DeadLetter;
import dev.keel.dlq.DeadLetterHeaders;
import dev.keel.dlq.DeadLetterPublisher;
import dev.keel.dlq.DeadLetterQuery;
import dev.keel.dlq.DeadLetterStore;
import dev.keel.dlq.FailedRecord;
import dev.keel.dlq.RetryTiers;
import dev.keel.dlq.TierRoute;
import dev.keel.dlq.testing.ConsumerLoop;
import dev.keel.dlq.testing.KafkaIo;
import dev.keel.dlq.testing.ManualTime;
import dev.keel.event.FailureClass;
import dev.keel.retry.Failure;
import dev.keel.retry.InPlaceRetry;
import dev.keel.retry.RetryPolicy;
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
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

/**
 * Delay tiers: a failed record moves to {@code <topic>.retry.<n>} without blocking its partition
 * (so order is not kept), is retried when due by a consumer that pauses instead of sleeping, and
 * forged headers or timestamps neither stall a tier nor add attempts.
 */
@KeelTest
class DelayTiersIT {

  @Test
  void recordsWaitInTiersWithoutBlockingAndForgedHeadersCannotStallOrAddAttempts(
      KafkaBroker broker, Topics topics, IsolatedDatabase db) throws Exception {
    String topic = topics.create("emails", 1);
    DeadLetterStore store = DeadLetterStore.builder().dataSource(db.dataSource()).build();
    store.install();
    ManualTime time = new ManualTime();
    Map<String, Object> props = Map.copyOf(broker.clientProperties());
    List<String> handled = new CopyOnWriteArrayList<>();
    try (KafkaIo kafka = new KafkaIo(broker);
        DeadLetterPublisher publisher =
            DeadLetterPublisher.builder().kafka(props).store(store).clock(time.clock()).build();
        RetryTiers tiers =
            RetryTiers.builder()
                .kafka(props)
                .delays(Duration.ofSeconds(10), Duration.ofMinutes(1))
                .clock(time.clock())
                .build()) {
      // source: "R" fails once and goes to tier 1; "S" behind it is handled at once
      kafka.send(topic, "k", KafkaIo.utf8("R"), KafkaIo.envelope(UUID.randomUUID()));
      kafka.send(topic, "k", KafkaIo.utf8("S"), KafkaIo.envelope(UUID.randomUUID()));
      List<TierRoute> routes = new ArrayList<>();
      InPlaceRetry once =
          InPlaceRetry.builder().policy(RetryPolicy.builder().maxAttempts(1).build()).build();
      try (ConsumerLoop source =
          new ConsumerLoop(
              kafka,
              "mailer",
              List.of(topic),
              once,
              publisher,
              r -> {
                String v = new String(r.value(), StandardCharsets.UTF_8);
                handled.add("source:" + v);
                if (v.equals("R")) {
                  Failure f =
                      Failure.once(
                          "mailer",
                          FailureClass.TRANSIENT,
                          new SocketTimeoutException("smtp"),
                          time.now());
                  routes.add(tiers.route(dev.keel.dlq.kafka.KafkaFailedRecords.of(r), f));
                }
              })) {
        source.runUntilSeen(2);
      }
      assertThat(handled).containsExactly("source:R", "source:S");
      assertThat(routes)
          .singleElement()
          .satisfies(
              r -> {
                assertThat(r.forwarded()).isTrue();
                assertThat(r.topic()).isEqualTo(topic + ".retry.1");
              });

      // a forged record in tier 1: far-future timestamp and due-at, huge attempts
      List<org.apache.kafka.common.header.Header> forged = new ArrayList<>();
      KafkaIo.envelope(UUID.randomUUID())
          .forEach(h -> forged.add(new RecordHeader(h.name(), h.value())));
      forged.add(new RecordHeader(DeadLetterHeaders.DUE_AT, KafkaIo.utf8("253402300799000")));
      forged.add(new RecordHeader(DeadLetterHeaders.ATTEMPTS, KafkaIo.utf8("99999")));
      forged.add(
          new RecordHeader(DeadLetterHeaders.ORIGINAL_TOPIC, KafkaIo.utf8("payments-admin")));
      Map<String, Object> pp = new java.util.HashMap<>(props);
      pp.put("key.serializer", ByteArraySerializer.class);
      pp.put("value.serializer", ByteArraySerializer.class);
      try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(pp)) {
        // the broker refuses timestamps over an hour ahead of its own clock (by default; an
        // offset test clock widens that); this one is 50 minutes ahead of the test's clock
        long future = time.now().plus(Duration.ofMinutes(50)).toEpochMilli();
        producer
            .send(
                new ProducerRecord<>(
                    topic + ".retry.1", 0, future, KafkaIo.utf8("k2"), KafkaIo.utf8("F"), forged))
            .get();
      }

      try (RetryTierConsumer tierConsumer =
          RetryTierConsumer.builder()
              .kafka(props)
              .group("mailer")
              .sourceTopics(List.of(topic))
              .tiers(tiers)
              .publisher(publisher)
              .clock(time.clock())
              .handler(
                  r -> {
                    String v = new String(r.value(), StandardCharsets.UTF_8);
                    handled.add(r.topic().substring(topic.length() + 1) + ":" + v);
                    if (v.equals("F") || (v.equals("R") && r.topic().endsWith(".retry.1"))) {
                      throw new SocketTimeoutException("smtp again");
                    }
                  })
              .build()
              .start()) {
        // nothing is due yet: the tier partition is paused while the loop keeps polling
        await().atMost(Duration.ofSeconds(20)).until(() -> tierConsumer.pausedPartitions() == 1);
        long polls = tierConsumer.polls();
        await().atMost(Duration.ofSeconds(10)).until(() -> tierConsumer.polls() >= polls + 5);
        assertThat(handled).containsExactly("source:R", "source:S");

        time.advance(Duration.ofSeconds(10));
        await()
            .atMost(Duration.ofSeconds(20))
            .until(() -> handled.contains("retry.1:R") && handled.contains("retry.1:F"));
        // both failed again and went to tier 2, which waits its own minute
        await().atMost(Duration.ofSeconds(20)).until(() -> tierConsumer.pausedPartitions() == 1);
        long polls2 = tierConsumer.polls();
        await().atMost(Duration.ofSeconds(10)).until(() -> tierConsumer.polls() >= polls2 + 5);
        assertThat(handled).noneMatch(h -> h.startsWith("retry.2:"));

        time.advance(Duration.ofMinutes(1));
        await()
            .atMost(Duration.ofSeconds(20))
            .until(() -> handled.contains("retry.2:R") && handled.contains("retry.2:F"));
        await()
            .atMost(Duration.ofSeconds(20))
            .until(() -> !store.find(DeadLetterQuery.all()).isEmpty());
      }
      assertThat(handled)
          .containsExactly(
              "source:R", "source:S", "retry.1:R", "retry.1:F", "retry.2:R", "retry.2:F");

      // F failed in the last tier: dead-lettered with the attempts its tiers imply, not 99999
      DeadLetter f = store.find(DeadLetterQuery.all()).get(0);
      assertThat(new String(f.payload(), StandardCharsets.UTF_8)).isEqualTo("F");
      assertThat(f.attempts()).isEqualTo(3);
      assertThat(store.find(DeadLetterQuery.all())).hasSize(1);
      ConsumerRecord<byte[], byte[]> tier2 = kafka.readAll(topic + ".retry.2", 2).get(0);
      assertThat(header(tier2, DeadLetterHeaders.ATTEMPTS)).isEqualTo("2");
      assertThat(header(tier2, DeadLetterHeaders.ORIGINAL_TOPIC)).isEqualTo(topic);
      assertThat(KafkaIo.count(tier2, DeadLetterHeaders.ATTEMPTS)).isEqualTo(1);
    }
  }

  @Test
  void aDatabaseOutageWhileDeadLetteringPausesTheTierAndRetriesWithoutStoppingTheConsumer(
      KafkaBroker broker, Topics topics, IsolatedDatabase db) throws Exception {
    String topic = topics.create("sms", 1);
    dev.keel.consumer.tiers.testing.FlakyDataSource flaky =
        new dev.keel.consumer.tiers.testing.FlakyDataSource(db.dataSource());
    DeadLetterStore store = DeadLetterStore.builder().dataSource(flaky).build();
    store.install();
    ManualTime time = new ManualTime();
    Map<String, Object> props = Map.copyOf(broker.clientProperties());
    List<String> handled = new CopyOnWriteArrayList<>();
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
              topic,
              0,
              7,
              KafkaIo.utf8("m"),
              KafkaIo.utf8("M"),
              KafkaIo.envelope(UUID.randomUUID()));
      TierRoute route =
          tiers.route(
              source,
              Failure.once(
                  "sms", FailureClass.TRANSIENT, new SocketTimeoutException("x"), time.now()));
      assertThat(route.tier()).isEqualTo(1);
      flaky.down().set(true);
      try (RetryTierConsumer tierConsumer =
          RetryTierConsumer.builder()
              .kafka(props)
              .group("sms")
              .sourceTopics(List.of(topic))
              .tiers(tiers)
              .publisher(publisher)
              .clock(time.clock())
              .handler(
                  r -> {
                    handled.add(new String(r.value(), StandardCharsets.UTF_8));
                    throw new SocketTimeoutException("gateway down");
                  })
              .build()
              .start()) {
        await().atMost(Duration.ofSeconds(20)).until(() -> tierConsumer.pausedPartitions() == 1);
        time.advance(Duration.ofSeconds(5));
        // handled, failed in the last tier, dead-lettering failed: paused again, not dead
        await()
            .atMost(Duration.ofSeconds(20))
            .until(() -> handled.size() == 1 && tierConsumer.pausedPartitions() == 1);
        long polls = tierConsumer.polls();
        await().atMost(Duration.ofSeconds(10)).until(() -> tierConsumer.polls() >= polls + 3);
        flaky.down().set(false);
        time.advance(Duration.ofSeconds(1));
        await()
            .atMost(Duration.ofSeconds(20))
            .until(() -> !store.find(DeadLetterQuery.all()).isEmpty());
      }
      DeadLetter d = store.find(DeadLetterQuery.all()).get(0);
      assertThat(d.topic()).isEqualTo(topic);
      assertThat(d.offset()).isEqualTo(7);
      assertThat(d.attempts()).isEqualTo(2);
      // only storing the dead letter was retried, not the handler
      assertThat(handled).containsExactly("M");
    }
  }

  @Test
  void tierNamesAreParsedWithBounds() {
    assertThat(RetryTiers.tierOf("orders.retry.2", 3)).contains(2);
    assertThat(RetryTiers.tierOf("orders.retry.4", 3)).isEmpty();
    assertThat(RetryTiers.tierOf("orders.retry.0", 3)).isEmpty();
    assertThat(RetryTiers.tierOf("orders.retry.x", 3)).isEmpty();
    assertThat(RetryTiers.tierOf("orders", 3)).isEmpty();
    assertThat(RetryTiers.tierOf(".retry.1", 3)).isEmpty();
  }
}
