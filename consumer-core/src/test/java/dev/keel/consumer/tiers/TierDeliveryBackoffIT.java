package dev.keel.consumer.tiers;

import static dev.keel.dlq.testing.KafkaIo.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.keel.consumer.tiers.testing.FlakyDataSource;
import dev.keel.dlq.DeadLetter;
import dev.keel.dlq.DeadLetterPublisher;
import dev.keel.dlq.DeadLetterQuery;
import dev.keel.dlq.DeadLetterStore;
import dev.keel.dlq.FailedRecord;
import dev.keel.dlq.RetryTiers;
import dev.keel.dlq.testing.KafkaIo;
import dev.keel.dlq.testing.ManualTime;
import dev.keel.event.FailureClass;
import dev.keel.event.KeelMeters;
import dev.keel.retry.Failure;
import dev.keel.test.IsolatedDatabase;
import dev.keel.test.KafkaBroker;
import dev.keel.test.KeelTest;
import dev.keel.test.Topics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/**
 * A retry-tier consumer whose dead letter cannot be stored: a failure that can pass (connection
 * lost, deadlock, serialization failure) is retried with a doubling, capped backoff, logged and
 * counted, with the record uncommitted until the dead letter lands, once; a dead letter the
 * database refuses as data is stored all-base64 at once, and one it refuses even so stops the
 * consumer with the record uncommitted instead of retrying it forever.
 */
@KeelTest
class TierDeliveryBackoffIT {
  private static final String PAYLOAD = "M-payload-do-not-log";

  private record Setup(
      String group,
      String topic,
      TopicPartition tier1,
      FlakyDataSource flaky,
      DeadLetterStore store,
      ManualTime time,
      Map<String, Object> props) {}

  /** A topic whose record at offset 7 failed in the group {@code name} and waits in tier 1. */
  private static Setup setup(KafkaBroker broker, Topics topics, IsolatedDatabase db, String name) {
    String topic = topics.create(name, 1);
    FlakyDataSource flaky = new FlakyDataSource(db.dataSource());
    DeadLetterStore store = DeadLetterStore.builder().dataSource(flaky).build();
    store.install();
    ManualTime time = new ManualTime();
    Map<String, Object> props = Map.copyOf(broker.clientProperties());
    try (RetryTiers tiers =
        RetryTiers.builder()
            .kafka(props)
            .delays(Duration.ofSeconds(5))
            .clock(time.clock())
            .build()) {
      FailedRecord source =
          new FailedRecord(
              topic, 0, 7, utf8("m"), utf8(PAYLOAD), KafkaIo.envelope(UUID.randomUUID()));
      assertThat(
              tiers
                  .route(
                      source,
                      Failure.once(
                          name,
                          FailureClass.TRANSIENT,
                          new SocketTimeoutException("gateway"),
                          time.now()))
                  .tier())
          .isEqualTo(1);
    }
    return new Setup(
        name,
        topic,
        new TopicPartition(RetryTiers.tierTopic(topic, 1), 0),
        flaky,
        store,
        time,
        props);
  }

  private static RetryTierConsumer tierConsumer(
      Setup s,
      DeadLetterPublisher publisher,
      RetryTiers tiers,
      SimpleMeterRegistry registry,
      List<String> handled) {
    return RetryTierConsumer.builder()
        .kafka(s.props())
        .group(s.group() + ".retry")
        .sourceTopics(List.of(s.topic()))
        .tiers(tiers)
        .publisher(publisher)
        .clock(s.time().clock())
        .meterRegistry(registry)
        .handler(
            r -> {
              handled.add(new String(r.value(), StandardCharsets.UTF_8));
              throw new SocketTimeoutException("gateway down");
            })
        .build()
        .start();
  }

  private static RetryTiers tiers(Setup s) {
    return RetryTiers.builder()
        .kafka(s.props())
        .delays(Duration.ofSeconds(5))
        .clock(s.time().clock())
        .build();
  }

  @Test
  void transientFailuresBackOffUpToTheCapAreCountedAndTheDeadLetterLandsOnce(
      KafkaBroker broker, Topics topics, IsolatedDatabase db) throws Exception {
    Setup s = setup(broker, topics, db, "sms");
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    List<String> handled = new CopyOnWriteArrayList<>();
    ByteArrayOutputStream log = new ByteArrayOutputStream();
    PrintStream err = System.err;
    System.setErr(new PrintStream(new Tee(err, log), true, StandardCharsets.UTF_8));
    try (KafkaIo kafka = new KafkaIo(broker);
        DeadLetterPublisher publisher =
            DeadLetterPublisher.builder()
                .kafka(s.props())
                .store(s.store())
                .clock(s.time().clock())
                .build();
        RetryTiers tiers = tiers(s)) {
      s.flaky().down().set(true);
      try (RetryTierConsumer tc = tierConsumer(s, publisher, tiers, registry, handled)) {
        Counter retries =
            registry.get(KeelMeters.DLQ_TIER_DELIVERY_RETRIES).tag("group", s.group()).counter();
        await().atMost(Duration.ofSeconds(20)).until(() -> tc.pausedPartitions() == 1);
        s.time().advance(Duration.ofSeconds(5));
        await().atMost(Duration.ofSeconds(20)).until(() -> retries.count() == 1);

        // each backoff doubles up to 10 s; the move is tried again exactly when it has passed
        long[] backoffs = {100, 200, 400, 800, 1600, 3200, 6400, 10_000, 10_000};
        for (int i = 0; i < backoffs.length - 1; i++) {
          if (i == 3) { // the database is back, but the insert deadlocks, then fails to serialize
            s.flaky().down().set(false);
            s.flaky().failDeadLetterInserts("40P01", 2);
          }
          if (i == 5) {
            s.flaky().failDeadLetterInserts("40001", 1);
          }
          if (i == 6) {
            s.flaky().down().set(true);
          }
          s.time().advance(Duration.ofMillis(backoffs[i] - 1));
          long polls = tc.polls();
          await().atMost(Duration.ofSeconds(10)).until(() -> tc.polls() >= polls + 3);
          assertThat(retries.count()).as("before backoff %d passed", i).isEqualTo(i + 1);
          assertThat(committed(broker, s)).as("nothing committed past it").isNull();
          s.time().advance(Duration.ofMillis(1));
          int expected = i + 2;
          await().atMost(Duration.ofSeconds(20)).until(() -> retries.count() == expected);
        }
        s.flaky().down().set(false);
        assertThat(s.flaky().failedInserts()).isEqualTo(3);
        assertThat(s.store().find(DeadLetterQuery.all())).isEmpty();
        s.time().advance(Duration.ofSeconds(10));
        await().atMost(Duration.ofSeconds(20)).until(() -> committed(broker, s) != null);
        long polls = tc.polls();
        await().atMost(Duration.ofSeconds(10)).until(() -> tc.polls() >= polls + 3);
        assertThat(retries.count()).isEqualTo(backoffs.length);
      }
      assertThat(committed(broker, s)).isEqualTo(1L);
      assertThat(handled).as("the handler is not run again").containsExactly(PAYLOAD);
      List<DeadLetter> rows = s.store().find(DeadLetterQuery.all());
      assertThat(rows).hasSize(1);
      assertThat(rows.get(0).group()).isEqualTo("sms");
      assertThat(rows.get(0).offset()).isEqualTo(7);
      assertThat(kafka.endOffset(s.topic() + ".dlq")).as("one copy").isEqualTo(1);
    } finally {
      System.setErr(err);
    }
    List<String> warnings =
        Arrays.stream(log.toString(StandardCharsets.UTF_8).split("\n"))
            .filter(
                l -> l.contains("Retry tier consumer sms.retry (group \"sms\"): dead-lettering"))
            .toList();
    assertThat(warnings).hasSize(9);
    assertThat(warnings)
        .allSatisfy(
            l ->
                assertThat(l)
                    .contains("WARN", s.tier1().topic() + "-0@0", "trying again in")
                    .doesNotContain(PAYLOAD));
    assertThat(warnings.get(0)).contains("SQLState 08001").endsWith("PT0.1S");
    assertThat(warnings.get(4)).contains("SQLState 40P01");
    assertThat(warnings.get(6)).contains("SQLState 40001");
    assertThat(warnings.get(8)).endsWith("PT10S");
  }

  @Test
  void aDeadLetterRefusedAsDataIsStoredAllBase64AtOnce(
      KafkaBroker broker, Topics topics, IsolatedDatabase db) throws Exception {
    Setup s = setup(broker, topics, db, "sms-data");
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    List<String> handled = new CopyOnWriteArrayList<>();
    try (DeadLetterPublisher publisher =
            DeadLetterPublisher.builder()
                .kafka(s.props())
                .store(s.store())
                .clock(s.time().clock())
                .build();
        RetryTiers tiers = tiers(s)) {
      s.flaky().failDeadLetterInserts("22021", 1);
      try (RetryTierConsumer tc = tierConsumer(s, publisher, tiers, registry, handled)) {
        Counter retries =
            registry.get(KeelMeters.DLQ_TIER_DELIVERY_RETRIES).tag("group", s.group()).counter();
        await().atMost(Duration.ofSeconds(20)).until(() -> tc.pausedPartitions() == 1);
        s.time().advance(Duration.ofSeconds(5));
        await().atMost(Duration.ofSeconds(20)).until(() -> committed(broker, s) != null);
        assertThat(retries.count()).isZero();
        assertThat(tc.isRunning()).isTrue();
      }
      assertThat(s.flaky().failedInserts()).isEqualTo(1);
      DeadLetter d = s.store().find(DeadLetterQuery.all()).get(0);
      assertThat(d.group()).isEqualTo("sms-data");
      assertThat(d.exceptionMessage()).as("the all-base64 form").isNull();
      assertThat(handled).containsExactly(PAYLOAD);
    }
  }

  @Test
  void aDeadLetterTheDatabaseAlwaysRefusesAsDataStopsTheConsumerUncommitted(
      KafkaBroker broker, Topics topics, IsolatedDatabase db) throws Exception {
    Setup s = setup(broker, topics, db, "sms-refused");
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    List<String> handled = new CopyOnWriteArrayList<>();
    try (DeadLetterPublisher publisher =
            DeadLetterPublisher.builder()
                .kafka(s.props())
                .store(s.store())
                .clock(s.time().clock())
                .build();
        RetryTiers tiers = tiers(s)) {
      s.flaky().failDeadLetterInserts("22021", -1);
      try (RetryTierConsumer tc = tierConsumer(s, publisher, tiers, registry, handled)) {
        await().atMost(Duration.ofSeconds(20)).until(() -> tc.pausedPartitions() == 1);
        s.time().advance(Duration.ofSeconds(5));
        await().atMost(Duration.ofSeconds(20)).until(() -> !tc.isRunning());
      }
      // refused as it is and all-base64, then given up on: not retried, not committed
      assertThat(s.flaky().failedInserts()).isEqualTo(2);
      assertThat(committed(broker, s)).isNull();
      assertThat(s.store().find(DeadLetterQuery.all())).isEmpty();
      assertThat(registry.find(KeelMeters.DLQ_TIER_DELIVERY_RETRIES).counter())
          .as("removed when the consumer stopped")
          .isNull();

      // nothing lost: once the database takes it, the next run stores it once
      s.flaky().failDeadLetterInserts(null, 0);
      try (RetryTierConsumer tc = tierConsumer(s, publisher, tiers, registry, handled)) {
        await().atMost(Duration.ofSeconds(20)).until(() -> committed(broker, s) != null);
      }
      assertThat(s.store().find(DeadLetterQuery.all())).hasSize(1);
      assertThat(handled).containsExactly(PAYLOAD, PAYLOAD);
    }
  }

  /** The offset the tier consumer's group committed on tier 1, or null. */
  private static Long committed(KafkaBroker broker, Setup s) throws Exception {
    try (Admin admin = Admin.create(broker.clientProperties())) {
      OffsetAndMetadata o =
          admin
              .listConsumerGroupOffsets(s.group() + ".retry")
              .partitionsToOffsetAndMetadata()
              .get()
              .get(s.tier1());
      return o == null ? null : o.offset();
    }
  }

  /** Writes to the real stream and keeps a copy. */
  private static final class Tee extends OutputStream {
    private final OutputStream a;
    private final OutputStream b;

    Tee(OutputStream a, OutputStream b) {
      this.a = a;
      this.b = b;
    }

    @Override
    public synchronized void write(int c) throws java.io.IOException {
      a.write(c);
      b.write(c);
    }

    @Override
    public synchronized void write(byte[] buf, int off, int len) throws java.io.IOException {
      a.write(buf, off, len);
      b.write(buf, off, len);
    }
  }
}
