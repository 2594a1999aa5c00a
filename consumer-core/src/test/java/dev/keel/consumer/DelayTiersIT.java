package dev.keel.consumer;

import static dev.keel.consumer.Fixture.counter;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.keel.consumer.Fixture.Item;
import dev.keel.dlq.DeadLetter;
import dev.keel.dlq.DeadLetterQuery;
import dev.keel.dlq.DeadLetterStore;
import dev.keel.dlq.RetryTiers;
import dev.keel.event.FailureClass;
import dev.keel.event.KeelConfigurationException;
import dev.keel.event.KeelMeters;
import dev.keel.event.NonRetriableKeelException;
import dev.keel.event.RetriableKeelException;
import dev.keel.retry.RetryPolicy;
import dev.keel.test.IsolatedDatabase;
import dev.keel.test.KafkaBroker;
import dev.keel.test.KeelTest;
import dev.keel.test.Topics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.junit.jupiter.api.Test;

/**
 * Delay tiers wired into the runtime: a failing record moves to {@code <topic>.retry.<n>} while the
 * partition goes on, is handled again there with the same dedupe row, and is dead-lettered under
 * its source coordinates after the last tier; classes that are not retried skip the tiers.
 */
@KeelTest
class DelayTiersIT {
  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final RetryPolicy NO_IN_PLACE_RETRY = RetryPolicy.builder().maxAttempts(1).build();

  @Test
  void failedRecordsWaitInTiersWhileThePartitionGoesOn(
      KafkaBroker broker, Topics topics, IsolatedDatabase db) throws Exception {
    String topic = topics.create("items", 1);
    String group = Fixture.group();
    Fixture.createUniqueEffectTable(db.dataSource());
    try (KafkaProducer<byte[], byte[]> p = Fixture.producer(broker)) {
      for (int i = 0; i < 8; i++) {
        Fixture.send(p, Fixture.event(topic, "k" + i, i), i == 3 ? 2 : 1); // seq 3 delivered twice
      }
      p.flush();
    }
    Fixture.checkSent();
    AtomicLong handled = new AtomicLong();
    Map<Integer, AtomicInteger> calls = new ConcurrentHashMap<>();
    Map<Integer, Integer> succeededOnAttempt = new ConcurrentHashMap<>();
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    try (ConsumerRuntime runtime =
        Fixture.runtime(broker, db.dataSource())
            .retryPolicy(NO_IN_PLACE_RETRY)
            .retryTiers(Duration.ofMillis(300), Duration.ofMillis(300))
            .maxBatchSize(1)
            .meterRegistry(meters)
            .listener(
                ListenerDefinition.builder()
                    .topic(topic)
                    .group(group)
                    .payloadType(Item.class)
                    .handler(
                        d -> {
                          Item item = d.payload();
                          int n =
                              calls
                                  .computeIfAbsent(item.seq(), k -> new AtomicInteger())
                                  .incrementAndGet();
                          if (item.seq() == 0 && n < 3) {
                            throw new RetriableKeelException("lock timeout, call " + n);
                          }
                          if (item.seq() == 5) {
                            throw new RetriableKeelException("still down, call " + n);
                          }
                          if (item.seq() == 6) {
                            throw new NonRetriableKeelException(
                                FailureClass.VALIDATION, "quantity must be positive");
                          }
                          Fixture.insertEffect(d.connection(), d, handled.incrementAndGet());
                          succeededOnAttempt.put(item.seq(), d.attempt());
                        })
                    .build())
            .build()) {
      runtime.start();
      await().atMost(WAIT).until(() -> Fixture.effects(db) == 6 && deadLetters(db).size() == 2);
      assertThat(runtime.failure()).isEmpty();
      assertThat(counter(meters, group, "delayed")).isEqualTo(2); // seq 0 and 5 left the topic
      assertThat(counter(meters, group, "dead_lettered")).isEqualTo(1); // seq 6 at once
      assertThat(counter(meters, group, "duplicate")).isEqualTo(1); // the second copy of seq 3
    }
    // seq 0 failed on the topic and in tier 1, and succeeded in tier 2, after every later record
    assertThat(succeededOnAttempt).containsEntry(0, 3);
    assertThat(calls.get(0)).hasValue(3);
    assertThat(
            Fixture.count(
                db.dataSource(),
                "SELECT COUNT(*) FROM effect WHERE seq > 0 AND handled < "
                    + "(SELECT handled FROM effect WHERE seq = 0)"))
        .isEqualTo(5);
    assertThat(Fixture.distinctEffects(db)).isEqualTo(6);
    // seq 5: the topic and both tiers, then a dead letter under its source coordinates
    assertThat(calls.get(5)).hasValue(3);
    // seq 6 is not retried: it never reaches a tier
    assertThat(calls.get(6)).hasValue(1);
    List<DeadLetter> dead = deadLetters(db);
    assertThat(dead).extracting(DeadLetter::topic).containsOnly(topic);
    assertThat(dead).extracting(DeadLetter::offset).containsExactlyInAnyOrder(6L, 7L);
    DeadLetter exhausted = dead.stream().filter(d -> d.offset() == 6L).findFirst().orElseThrow();
    assertThat(exhausted.reason()).isEqualTo(FailureClass.TRANSIENT);
    assertThat(exhausted.attempts()).isEqualTo(3);
    DeadLetter invalid = dead.stream().filter(d -> d.offset() == 7L).findFirst().orElseThrow();
    assertThat(invalid.reason()).isEqualTo(FailureClass.VALIDATION);
    assertThat(invalid.attempts()).isEqualTo(1);
    // the tiers held exactly the two retried records
    assertThat(Fixture.endOffsetsTotal(broker, RetryTiers.tierTopic(topic, 1), 1)).isEqualTo(2);
    assertThat(Fixture.endOffsetsTotal(broker, RetryTiers.tierTopic(topic, 2), 1)).isEqualTo(2);
  }

  @Test
  void tiersAndOrderedModeAreRefused(KafkaBroker broker, IsolatedDatabase db) {
    ListenerDefinition l =
        ListenerDefinition.builder().topic("t").group("g").handler(d -> {}).build();
    assertThatThrownBy(
            () ->
                Fixture.runtime(broker, db.dataSource())
                    .orderedMode(true)
                    .retryTiers(Duration.ofSeconds(1))
                    .listener(l)
                    .build())
        .isInstanceOf(KeelConfigurationException.class)
        .hasMessageContaining("retryTiers")
        .hasMessageContaining("ordered mode");
    assertThatThrownBy(
            () ->
                Fixture.runtime(broker, db.dataSource())
                    .retryTiers(Duration.ZERO)
                    .listener(l)
                    .build())
        .isInstanceOf(KeelConfigurationException.class)
        .hasMessageContaining("retryTiers[0]");
  }

  /**
   * Two groups read one topic and share its tiers: a record that failed in one group is retried in
   * that group only. The other group's tier consumer reads it, skips it and commits past it; its
   * handler does not see it a second time (before, it went through that group's dedupe as a
   * duplicate, or ran there first, ahead of that group's own delivery).
   */
  @Test
  void aRecordThatFailedInOneGroupIsRetriedInThatGroupOnly(
      KafkaBroker broker, Topics topics, IsolatedDatabase db) throws Exception {
    String topic = topics.create("shared", 1);
    String failing = Fixture.group();
    String other = Fixture.group();
    try (KafkaProducer<byte[], byte[]> p = Fixture.producer(broker)) {
      for (int i = 0; i < 3; i++) {
        Fixture.send(p, Fixture.event(topic, "k" + i, i), 1);
      }
      p.flush();
    }
    Fixture.checkSent();
    Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    try (ConsumerRuntime runtime =
        Fixture.runtime(broker, db.dataSource())
            .retryPolicy(NO_IN_PLACE_RETRY)
            .retryTiers(Duration.ofMillis(200))
            .meterRegistry(meters)
            .listener(counting(topic, failing, calls, 1))
            .listener(counting(topic, other, calls, -1))
            .build()) {
      runtime.start();
      String tier = RetryTiers.tierTopic(topic, 1);
      await()
          .atMost(WAIT)
          .until(
              () ->
                  count(calls, failing, 1) == 2
                      && committedOn(broker, other + ".retry", tier) == 1
                      && committedOn(broker, failing + ".retry", tier) == 1
                      && committedOn(broker, other, topic) == 3);
      assertThat(runtime.failure()).isEmpty();
      for (int seq = 0; seq < 3; seq++) {
        assertThat(count(calls, other, seq)).as("group %s, seq %d", other, seq).isEqualTo(1);
      }
      assertThat(counter(meters, other, "duplicate"))
          .as("the other group's tier consumer did not hand it the record again")
          .isZero();
      assertThat(counter(meters, failing, "delayed")).isEqualTo(1);
      assertThat(Fixture.endOffsetsTotal(broker, tier, 1)).isEqualTo(1);
      // the runtime wires its tier consumers' backoff counter, one per group, read after a GC
      MetersAfterGcIT.forceGc();
      for (String g : List.of(failing, other)) {
        assertThat(
                meters.get(KeelMeters.DLQ_TIER_DELIVERY_RETRIES).tag("group", g).counter().count())
            .as("nothing failed to move on in %s", g)
            .isZero();
      }
    }
  }

  private static ListenerDefinition counting(
      String topic, String group, Map<String, AtomicInteger> calls, int failOnceAt) {
    return ListenerDefinition.builder()
        .topic(topic)
        .group(group)
        .payloadType(Item.class)
        .handler(
            d -> {
              Item item = d.payload();
              int seq = item.seq();
              int n =
                  calls
                      .computeIfAbsent(group + "/" + seq, k -> new AtomicInteger())
                      .incrementAndGet();
              if (seq == failOnceAt && n == 1) {
                throw new RetriableKeelException("lock timeout");
              }
            })
        .build();
  }

  private static int count(Map<String, AtomicInteger> calls, String group, int seq) {
    AtomicInteger n = calls.get(group + "/" + seq);
    return n == null ? 0 : n.get();
  }

  private static long committedOn(KafkaBroker broker, String group, String topic) throws Exception {
    long total = 0;
    for (Map.Entry<
            org.apache.kafka.common.TopicPartition,
            org.apache.kafka.clients.consumer.OffsetAndMetadata>
        e : Fixture.committed(broker, group).entrySet()) {
      if (e.getKey().topic().equals(topic) && e.getValue() != null) {
        total += e.getValue().offset();
      }
    }
    return total;
  }

  private static List<DeadLetter> deadLetters(IsolatedDatabase db) {
    return DeadLetterStore.builder()
        .dataSource(db.dataSource())
        .build()
        .find(DeadLetterQuery.builder().build());
  }
}
