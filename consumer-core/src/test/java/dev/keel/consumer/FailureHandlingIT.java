package dev.keel.consumer;

import static dev.keel.consumer.Fixture.counter;
import static dev.keel.consumer.Fixture.effects;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.keel.consumer.Fixture.Item;
import dev.keel.dlq.DeadLetter;
import dev.keel.dlq.DeadLetterPublisher;
import dev.keel.dlq.DeadLetterQuery;
import dev.keel.dlq.DeadLetterStore;
import dev.keel.event.Event;
import dev.keel.event.FailureAction;
import dev.keel.event.FailureClass;
import dev.keel.event.NonRetriableKeelException;
import dev.keel.event.RetriableKeelException;
import dev.keel.event.kafka.KafkaRecords;
import dev.keel.retry.RetryPolicy;
import dev.keel.test.IsolatedDatabase;
import dev.keel.test.KafkaBroker;
import dev.keel.test.KeelTest;
import dev.keel.test.Topics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

/** Poison records, in-place retries, dead letters, parking, fail-fast and business keys. */
@KeelTest
class FailureHandlingIT {
  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final RetryPolicy FAST =
      RetryPolicy.builder()
          .maxAttempts(3)
          .initialDelay(Duration.ofMillis(10))
          .maxDelay(Duration.ofMillis(50))
          .build();

  private final AtomicLong handled = new AtomicLong();

  private static List<DeadLetter> deadLetters(IsolatedDatabase db, String topic) {
    return DeadLetterStore.builder()
        .dataSource(db.dataSource())
        .build()
        .find(DeadLetterQuery.builder().topic(topic).build());
  }

  private ListenerDefinition.Builder listener(String topic, String group) {
    return ListenerDefinition.builder().topic(topic).group(group).payloadType(Item.class);
  }

  @Test
  void poisonRecordsAreDeadLetteredAndThePartitionMovesOn(
      KafkaBroker broker, Topics topics, IsolatedDatabase db) throws Exception {
    String topic = topics.create("items", 1);
    String group = Fixture.group();
    Fixture.createEffectTable(db.dataSource());
    try (KafkaProducer<byte[], byte[]> p = Fixture.producer(broker)) {
      Fixture.send(p, Fixture.event(topic, "a", 0), 1);
      Fixture.sendRaw(p, new ProducerRecord<>(topic, "b".getBytes(), "no headers".getBytes()));
      Event notJson =
          Fixture.event(topic, "c", 2).toBuilder()
              .payload("not json".getBytes(StandardCharsets.UTF_8))
              .build();
      Fixture.sendRaw(p, KafkaRecords.toProducerRecord(notJson));
      Fixture.send(p, Fixture.event(topic, "d", 3), 1);
      p.flush();
    }
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    try (ConsumerRuntime runtime =
        Fixture.runtime(broker, db.dataSource())
            .retryPolicy(FAST)
            .meterRegistry(meters)
            .listener(
                listener(topic, group)
                    .handler(
                        d -> Fixture.insertEffect(d.connection(), d, handled.incrementAndGet()))
                    .build())
            .build()) {
      runtime.start();
      await().atMost(WAIT).until(() -> Fixture.committedTotal(broker, group) == 4);
      assertThat(counter(meters, group, "processed")).isEqualTo(2);
      assertThat(counter(meters, group, "dead_lettered")).isEqualTo(2);
      assertThat(counter(meters, group, "retried")).isZero(); // poison is not retried
    }
    assertThat(effects(db)).isEqualTo(2);
    List<DeadLetter> dead = deadLetters(db, topic);
    assertThat(dead).extracting(DeadLetter::offset).containsExactly(1L, 2L);
    assertThat(dead).extracting(DeadLetter::reason).containsOnly(FailureClass.DESERIALIZATION);
    assertThat(dead).extracting(DeadLetter::group).containsOnly(group);
  }

  @Test
  void transientFailuresAreRetriedInPlaceAndRolledBack(
      KafkaBroker broker, Topics topics, IsolatedDatabase db) throws Exception {
    String topic = topics.create("items", 2);
    String group = Fixture.group();
    Fixture.createEffectTable(db.dataSource());
    int events = 20;
    try (KafkaProducer<byte[], byte[]> p = Fixture.producer(broker)) {
      for (int i = 0; i < events; i++) {
        Fixture.send(p, Fixture.event(topic, "k" + i, i), 1);
      }
      p.flush();
    }
    Map<String, AtomicInteger> attempts = new ConcurrentHashMap<>();
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    try (ConsumerRuntime runtime =
        Fixture.runtime(broker, db.dataSource())
            .retryPolicy(FAST)
            .meterRegistry(meters)
            .listener(
                listener(topic, group)
                    .handler(
                        d -> {
                          // the effect is written, then the attempt fails: it must roll back
                          Fixture.insertEffect(d.connection(), d, handled.incrementAndGet());
                          Item item = d.payload();
                          if (item.seq() % 5 != 0) {
                            return; // may run twice: in a batch rolled back for a neighbour
                          }
                          // a failing record's first attempt may be in a batch, which then
                          // splits at it: the batch counts as its attempt 1
                          int n =
                              attempts
                                  .computeIfAbsent(item.key(), k -> new AtomicInteger())
                                  .incrementAndGet();
                          assertThat(d.attempt()).isEqualTo(n);
                          if (n < 3) {
                            throw new RetriableKeelException("lock timeout, attempt " + n);
                          }
                        })
                    .build())
            .build()) {
      runtime.start();
      await().atMost(WAIT).until(() -> counter(meters, group, "processed") >= events);
      assertThat(counter(meters, group, "retried")).isEqualTo(4 * 2);
      assertThat(counter(meters, group, "dead_lettered")).isZero();
    }
    assertThat(effects(db)).isEqualTo(events);
    assertThat(Fixture.distinctEffects(db)).isEqualTo(events);
  }

  @Test
  void exhaustedRetriesDeadLetterAndOrderedModeParksTheKey(
      KafkaBroker broker, Topics topics, IsolatedDatabase db) throws Exception {
    String topic = topics.create("items", 1);
    String group = Fixture.group();
    Fixture.createEffectTable(db.dataSource());
    try (KafkaProducer<byte[], byte[]> p = Fixture.producer(broker)) {
      Fixture.send(p, Fixture.event(topic, "bad", 0), 1);
      Fixture.send(p, Fixture.event(topic, "good", 1), 1);
      Fixture.send(p, Fixture.event(topic, "bad", 2), 1);
      Fixture.send(p, Fixture.event(topic, "good", 3), 1);
      p.flush();
    }
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    try (ConsumerRuntime runtime =
        Fixture.runtime(broker, db.dataSource())
            .retryPolicy(FAST)
            .orderedMode(true)
            .meterRegistry(meters)
            .listener(
                listener(topic, group)
                    .handler(
                        d -> {
                          Item item = d.payload();
                          if (item.key().equals("bad")) {
                            throw new IllegalStateException("cannot handle " + item.seq());
                          }
                          Fixture.insertEffect(d.connection(), d, handled.incrementAndGet());
                        })
                    .build())
            .build()) {
      runtime.start();
      await().atMost(WAIT).until(() -> Fixture.committedTotal(broker, group) == 4);
      assertThat(counter(meters, group, "processed")).isEqualTo(2);
      assertThat(counter(meters, group, "retried")).isEqualTo(2); // 3 attempts of offset 0
      assertThat(counter(meters, group, "dead_lettered")).isEqualTo(1);
      assertThat(counter(meters, group, "parked")).isEqualTo(1); // offset 2 waits behind it
      assertThat(meters.find("keel.dlq.records").tag("reason", "unknown").counter().count())
          .isEqualTo(1);
    }
    List<DeadLetter> dead = deadLetters(db, topic);
    assertThat(dead).singleElement().satisfies(d -> assertThat(d.attempts()).isEqualTo(3));
    assertThat(effects(db)).isEqualTo(2);
  }

  @Test
  void parkWithTheCallersOrderedPublisherHoldsTheKeyBack(
      KafkaBroker broker, Topics topics, IsolatedDatabase db) throws Exception {
    String topic = topics.create("items", 1);
    String group = Fixture.group();
    Fixture.createEffectTable(db.dataSource());
    try (KafkaProducer<byte[], byte[]> p = Fixture.producer(broker)) {
      Fixture.send(p, Fixture.event(topic, "bad", 0), 1);
      Fixture.send(p, Fixture.event(topic, "good", 1), 1);
      Fixture.send(p, Fixture.event(topic, "bad", 2), 1);
      Fixture.send(p, Fixture.event(topic, "good", 3), 1);
      p.flush();
    }
    DeadLetterStore store = DeadLetterStore.builder().dataSource(db.dataSource()).build();
    store.install();
    RetryPolicy park =
        RetryPolicy.builder().action(FailureClass.BUSINESS, FailureAction.PARK).build();
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    try (DeadLetterPublisher publisher =
            DeadLetterPublisher.builder()
                .kafka(broker.clientProperties())
                .store(store)
                .orderedMode(true)
                .build();
        ConsumerRuntime runtime =
            Fixture.runtime(broker, db.dataSource())
                .retryPolicy(park)
                .deadLetterPublisher(publisher)
                .meterRegistry(meters)
                .listener(
                    listener(topic, group)
                        .handler(
                            d -> {
                              Item item = d.payload();
                              if (item.key().equals("bad")) {
                                throw new NonRetriableKeelException(
                                    FailureClass.BUSINESS, "order " + item.seq() + " is closed");
                              }
                              Fixture.insertEffect(d.connection(), d, handled.incrementAndGet());
                            })
                        .build())
                .build()) {
      runtime.start();
      await().atMost(WAIT).until(() -> Fixture.committedTotal(broker, group) == 4);
      assertThat(counter(meters, group, "processed")).isEqualTo(2);
      assertThat(counter(meters, group, "retried")).isZero(); // PARK is not retried
      assertThat(counter(meters, group, "dead_lettered")).isEqualTo(1);
      assertThat(counter(meters, group, "parked")).isEqualTo(1); // offset 2 held behind offset 0
    }
    assertThat(deadLetters(db, topic))
        .singleElement()
        .satisfies(d -> assertThat(d.offset()).isZero());
    assertThat(effects(db)).isEqualTo(2);
  }

  @Test
  void failFastStopsTheRuntimeWithoutCommittingTheRecord(
      KafkaBroker broker, Topics topics, IsolatedDatabase db) throws Exception {
    String topic = topics.create("items", 1);
    String group = Fixture.group();
    Fixture.createEffectTable(db.dataSource());
    try (KafkaProducer<byte[], byte[]> p = Fixture.producer(broker)) {
      Fixture.send(p, Fixture.event(topic, "a", 0), 1);
      Fixture.send(p, Fixture.event(topic, "refused", 1), 1);
      Fixture.send(p, Fixture.event(topic, "a", 2), 1);
      p.flush();
    }
    try (ConsumerRuntime runtime =
        Fixture.runtime(broker, db.dataSource())
            .retryPolicy(
                RetryPolicy.builder()
                    .action(FailureClass.BUSINESS, FailureAction.FAIL_FAST)
                    .build())
            .listener(
                listener(topic, group)
                    .handler(
                        d -> {
                          Item item = d.payload();
                          if (item.key().equals("refused")) {
                            throw new NonRetriableKeelException(
                                FailureClass.BUSINESS, "account closed");
                          }
                          Fixture.insertEffect(d.connection(), d, handled.incrementAndGet());
                        })
                    .build())
            .build()) {
      runtime.start();
      await().atMost(WAIT).until(() -> runtime.failure().isPresent());
      assertThat(runtime.failure().get()).hasMessageContaining("FAIL_FAST");
      await().atMost(WAIT).until(() -> !runtime.isRunning());
    }
    assertThat(effects(db)).isEqualTo(1);
    assertThat(Fixture.committedTotal(broker, group)).isEqualTo(1);
  }

  @Test
  void businessKeysDeduplicateDifferentEventIds(
      KafkaBroker broker, Topics topics, IsolatedDatabase db) throws Exception {
    String topic = topics.create("items", 1);
    String byHeader = Fixture.group();
    Fixture.createEffectTable(db.dataSource());
    try (KafkaProducer<byte[], byte[]> p = Fixture.producer(broker)) {
      for (int i = 0; i < 3; i++) {
        // three events (three ids) for one request, and the same order number in the payload
        Event e =
            Fixture.event(topic, "order-7", 7).toBuilder().header("x-request-id", "req-1").build();
        Fixture.send(p, e, 1);
      }
      Fixture.send(
          p,
          Fixture.event(topic, "order-8", 8).toBuilder().header("x-request-id", "req-2").build(),
          1);
      p.flush();
    }
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    String byField = Fixture.group();
    try (ConsumerRuntime runtime =
        Fixture.runtime(broker, db.dataSource())
            .meterRegistry(meters)
            .listener(
                listener(topic, byHeader)
                    .idempotencyKey(IdempotencyKey.header("x-request-id"))
                    .handler(d -> Fixture.insertEffect(d.connection(), d, 1))
                    .build())
            .listener(
                listener(topic, byField)
                    .idempotencyKey(IdempotencyKey.payloadField("key"))
                    .handler(
                        d -> {
                          assertThat(d.idempotencyKey()).startsWith("order-");
                          Fixture.insertEffect(d.connection(), d, 2);
                        })
                    .build())
            .build()) {
      runtime.start();
      await().atMost(WAIT).until(() -> Fixture.committedTotal(broker, byHeader) == 4);
      await().atMost(WAIT).until(() -> Fixture.committedTotal(broker, byField) == 4);
      assertThat(counter(meters, byHeader, "processed")).isEqualTo(2);
      assertThat(counter(meters, byHeader, "duplicate")).isEqualTo(2);
      assertThat(counter(meters, byField, "processed")).isEqualTo(2);
      assertThat(counter(meters, byField, "duplicate")).isEqualTo(2);
    }
    assertThat(Fixture.count(db.dataSource(), "SELECT COUNT(*) FROM effect WHERE handled = 1"))
        .isEqualTo(2);
    assertThat(Fixture.count(db.dataSource(), "SELECT COUNT(*) FROM effect WHERE handled = 2"))
        .isEqualTo(2);
  }

  @Test
  void closeAbandonsARecordWaitingForItsNextAttempt(
      KafkaBroker broker, Topics topics, IsolatedDatabase db) throws Exception {
    String topic = topics.create("items", 1);
    String group = Fixture.group();
    try (KafkaProducer<byte[], byte[]> p = Fixture.producer(broker)) {
      Fixture.send(p, Fixture.event(topic, "a", 0), 1);
      p.flush();
    }
    AtomicInteger attempts = new AtomicInteger();
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    // close removes the meters from the registry; these references still count
    Queue<Counter> counters = new ConcurrentLinkedQueue<>();
    meters
        .config()
        .onMeterAdded(
            m -> {
              if (m instanceof Counter c) {
                counters.add(c);
              }
            });
    ConsumerRuntime runtime =
        Fixture.runtime(broker, db.dataSource())
            .retryPolicy(
                RetryPolicy.builder()
                    .maxAttempts(10)
                    .initialDelay(Duration.ofSeconds(20))
                    .maxDelay(Duration.ofSeconds(20))
                    .build())
            .meterRegistry(meters)
            .listener(
                listener(topic, group)
                    .handler(
                        d -> {
                          attempts.incrementAndGet();
                          throw new RetriableKeelException("database unavailable");
                        })
                    .build())
            .build();
    runtime.start();
    await().atMost(WAIT).until(() -> attempts.get() == 1);
    Thread closer = new Thread(runtime::close, "closer");
    closer.start();
    // the record waits 20 s for its next attempt; close does not wait for it
    await().atMost(Duration.ofSeconds(15)).until(() -> !closer.isAlive());
    assertThat(attempts.get()).isEqualTo(1);
    assertThat(counters)
        .as("left for the next owner, not dead-lettered")
        .filteredOn(c -> "dead_lettered".equals(c.getId().getTag("result")))
        .allMatch(c -> c.count() == 0);
    assertThat(Fixture.committedTotal(broker, group)).isZero(); // offset 0 is read again
  }
}
