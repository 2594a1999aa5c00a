package dev.keel.consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.keel.consumer.Fixture.Item;
import dev.keel.dlq.DeadLetterQuery;
import dev.keel.dlq.DeadLetterStore;
import dev.keel.dlq.DeadLetters;
import dev.keel.event.Event;
import dev.keel.event.KeelMeters;
import dev.keel.event.sql.SchemaInstaller;
import dev.keel.outbox.Outbox;
import dev.keel.outbox.OutboxRelay;
import dev.keel.retry.RetryPolicy;
import dev.keel.test.IsolatedDatabase;
import dev.keel.test.KafkaBroker;
import dev.keel.test.KeelTest;
import dev.keel.test.Topics;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.lang.ref.WeakReference;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.junit.jupiter.api.Test;

/**
 * Every documented meter of the relay, the consumer runtime and dlq-core is read after a forced
 * garbage collection: no gauge reads NaN because Micrometer held its state weakly, and each has the
 * value the scenario produced. Saga meters are read after a collection in saga-core's
 * SagaMetersAfterGcIT.
 */
@KeelTest
class MetersAfterGcIT {
  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final RetryPolicy FAST =
      RetryPolicy.builder()
          .maxAttempts(3)
          .initialDelay(Duration.ofMillis(10))
          .maxDelay(Duration.ofMillis(50))
          .build();

  /** Collects garbage until a weakly held sentinel is gone. */
  static void forceGc() {
    WeakReference<Object> sentinel = new WeakReference<>(new Object());
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () -> {
              System.gc();
              return sentinel.get() == null;
            });
  }

  private static double gauge(MeterRegistry m, String name, String tag, String value) {
    Gauge g = m.get(name).tag(tag, value).gauge();
    return g.value();
  }

  private static double count(MeterRegistry m, String name, String tag, String value) {
    return m.get(name).tag(tag, value).counter().count();
  }

  private static ListenerDefinition listener(String topic, String group, AtomicBoolean broken) {
    return ListenerDefinition.builder()
        .topic(topic)
        .group(group)
        .eventType("item.added")
        .payloadType(Item.class)
        .handler(
            d -> {
              Item item = d.payload();
              if (broken.get() && item.key().equals("bad")) {
                throw new IllegalStateException("cannot handle " + item.seq());
              }
              Fixture.insertEffect(d.connection(), d, 1);
            })
        .build();
  }

  @Test
  void everyDocumentedMeterHasItsValueAfterAGarbageCollection(
      KafkaBroker broker, Topics topics, IsolatedDatabase db) throws Exception {
    String relayTopic = topics.create("relayed", 1);
    String topic = topics.create("items", 1);
    String group = Fixture.group();
    Fixture.createEffectTable(db.dataSource());
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    AtomicBoolean broken = new AtomicBoolean(true);

    // the relay: one row published, one too large for the producer (quarantined, its strict lane
    // stopped), one held behind it
    SchemaInstaller.builder().dataSource(db.dataSource()).build().install("outbox");
    Outbox outbox = Outbox.builder().lanes(4).maxPayloadBytes(1 << 20).build();
    byte[] big = new byte[20_000];
    Arrays.fill(big, (byte) 'x');
    try (Connection c = db.dataSource().getConnection()) {
      c.setAutoCommit(false);
      outbox.append(c, relayed(relayTopic, "K", "\"before\"".getBytes(StandardCharsets.UTF_8)));
      outbox.append(c, relayed(relayTopic, "K", big));
      outbox.append(c, relayed(relayTopic, "K", "\"after\"".getBytes(StandardCharsets.UTF_8)));
      c.commit();
    }
    try (KafkaProducer<byte[], byte[]> p = Fixture.producer(broker)) {
      Event good = Fixture.event(topic, "good", 1);
      Fixture.send(p, Fixture.event(topic, "bad", 0), 1);
      Fixture.send(p, good, 2); // one duplicate
      Fixture.send(p, Fixture.event(topic, "bad", 2), 1); // parked behind bad/0
      Fixture.send(p, Fixture.event(topic, "x", 3).toBuilder().type("other.type").build(), 1);
      p.flush();
      Fixture.checkSent();
    }
    DeadLetterStore store = DeadLetterStore.builder().dataSource(db.dataSource()).build();
    try (OutboxRelay relay =
            OutboxRelay.builder()
                .dataSource(db.dataSource())
                .producerProperties(
                    Map.of(
                        "bootstrap.servers", broker.bootstrapServers(), "max.request.size", 10_000))
                .lanes(4)
                .strictOrdering(true)
                .pollInterval(Duration.ofMillis(100))
                .meterRegistry(meters)
                .build();
        ConsumerRuntime runtime =
            Fixture.runtime(broker, db.dataSource())
                .retryPolicy(FAST)
                .orderedMode(true)
                .meterRegistry(meters)
                .listener(listener(topic, group, broken))
                .build();
        DeadLetters deadLetters =
            DeadLetters.builder()
                .store(store)
                .kafka(broker.clientProperties())
                .replayRate(1000)
                .meterRegistry(meters)
                .build()) {
      relay.start();
      runtime.start();
      String instance = relay.instanceId();
      await()
          .atMost(WAIT)
          .until(
              () ->
                  gauge(meters, KeelMeters.OUTBOX_QUARANTINED, "instance", instance) == 1
                      && gauge(meters, KeelMeters.OUTBOX_PENDING, "instance", instance) == 1
                      && Fixture.committedTotal(broker, group) == 5);

      forceGc();
      assertThat(gauge(meters, KeelMeters.RELAY_LANES_OWNED, "instance", instance)).isEqualTo(4);
      assertThat(gauge(meters, KeelMeters.RELAY_LANES_STOPPED, "instance", instance)).isEqualTo(1);
      assertThat(gauge(meters, KeelMeters.OUTBOX_PENDING, "instance", instance)).isEqualTo(1);
      assertThat(gauge(meters, KeelMeters.OUTBOX_QUARANTINED, "instance", instance)).isEqualTo(1);
      assertThat(gauge(meters, KeelMeters.OUTBOX_OLDEST_AGE, "instance", instance))
          .isFinite()
          .isGreaterThanOrEqualTo(0);
      assertThat(count(meters, KeelMeters.OUTBOX_PUBLISHED, "instance", instance)).isEqualTo(1);
      assertThat(
              meters
                  .get(KeelMeters.OUTBOX_PUBLISH_LATENCY)
                  .tag("instance", instance)
                  .timer()
                  .count())
          .isEqualTo(1);
      assertThat(Fixture.counter(meters, group, "processed")).isEqualTo(1);
      assertThat(Fixture.counter(meters, group, "duplicate")).isEqualTo(1);
      assertThat(Fixture.counter(meters, group, "retried")).isEqualTo(2);
      assertThat(Fixture.counter(meters, group, "dead_lettered")).isEqualTo(1);
      assertThat(Fixture.counter(meters, group, "parked")).isEqualTo(1);
      assertThat(Fixture.counter(meters, group, "ignored")).isEqualTo(1);
      assertThat(
              meters.get(KeelMeters.CONSUMER_HANDLE_DURATION).tag("group", group).timer().count())
          .isGreaterThanOrEqualTo(2);
      assertThat(gauge(meters, KeelMeters.CONSUMER_LAG, "group", group)).isZero();
      assertThat(count(meters, KeelMeters.CONSUMER_DEDUPE_REMOVED, "group", group)).isZero();
      assertThat(count(meters, KeelMeters.CONSUMER_DEDUPE_CLEANUP_INCOMPLETE, "group", group))
          .isZero();
      assertThat(
              meters
                  .get(KeelMeters.DLQ_RECORDS)
                  .tag("group", group)
                  .tag("reason", "unknown")
                  .counter()
                  .count())
          .isEqualTo(1);
      assertThat(gauge(meters, KeelMeters.DLQ_PARKED_KEYS, "group", group)).isEqualTo(1);

      // the fix is deployed; an operator replays: the replay path counts keel.dlq.replayed
      broken.set(false);
      assertThat(
              deadLetters
                  .replay(DeadLetterQuery.builder().topic(topic).group(group).build(), "alice")
                  .records())
          .isEqualTo(1);
      await().atMost(WAIT).until(() -> Fixture.counter(meters, group, "processed") == 3);
      forceGc();
      assertThat(count(meters, KeelMeters.DLQ_REPLAYED, "group", group)).isEqualTo(1);
      assertThat(gauge(meters, KeelMeters.RELAY_LANES_OWNED, "instance", instance)).isEqualTo(4);
      assertThat(gauge(meters, KeelMeters.RELAY_LANES_STOPPED, "instance", instance)).isEqualTo(1);
      assertThat(gauge(meters, KeelMeters.CONSUMER_LAG, "group", group)).isZero();
      assertThat(gauge(meters, KeelMeters.DLQ_PARKED_KEYS, "group", group)).isNotNaN();
    }
    // closed components take their meters with them
    assertThat(meters.find(KeelMeters.RELAY_LANES_OWNED).gauges()).isEmpty();
    assertThat(meters.find(KeelMeters.DLQ_PARKED_KEYS).gauges()).isEmpty();
    assertThat(meters.find(KeelMeters.DLQ_REPLAYED).counters()).isEmpty();
  }

  @Test
  void twoRuntimesOnOneRegistryKeepTheirOwnParkedKeysGauges(
      KafkaBroker broker, Topics topics, IsolatedDatabase db) throws Exception {
    String topic = topics.create("items", 1);
    String groupA = Fixture.group();
    String groupB = Fixture.group();
    Fixture.createEffectTable(db.dataSource());
    try (KafkaProducer<byte[], byte[]> p = Fixture.producer(broker)) {
      Fixture.send(p, Fixture.event(topic, "bad", 0), 1);
      Fixture.send(p, Fixture.event(topic, "bad", 1), 1);
      p.flush();
      Fixture.checkSent();
    }
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    AtomicBoolean broken = new AtomicBoolean(true);
    AtomicBoolean fine = new AtomicBoolean(false);
    try (ConsumerRuntime a =
            Fixture.runtime(broker, db.dataSource())
                .retryPolicy(FAST)
                .orderedMode(true)
                .meterRegistry(meters)
                .listener(listener(topic, groupA, broken))
                .build();
        ConsumerRuntime b =
            Fixture.runtime(broker, db.dataSource())
                .retryPolicy(FAST)
                .orderedMode(true)
                .meterRegistry(meters)
                .listener(listener(topic, groupB, fine))
                .build()) {
      a.start();
      b.start();
      await()
          .atMost(WAIT)
          .until(
              () ->
                  Fixture.committedTotal(broker, groupA) == 2
                      && Fixture.committedTotal(broker, groupB) == 2);
      forceGc();
      assertThat(gauge(meters, KeelMeters.DLQ_PARKED_KEYS, "group", groupA)).isEqualTo(1);
      assertThat(gauge(meters, KeelMeters.DLQ_PARKED_KEYS, "group", groupB)).isZero();
      assertThat(
              meters
                  .get(KeelMeters.DLQ_RECORDS)
                  .tag("group", groupA)
                  .tag("reason", "unknown")
                  .counter()
                  .count())
          .isEqualTo(1);
      assertThat(
              meters
                  .get(KeelMeters.DLQ_RECORDS)
                  .tag("group", groupB)
                  .tag("reason", "unknown")
                  .counter()
                  .count())
          .isZero();
      b.close(); // closing one runtime leaves the other's meters in place
      assertThat(meters.find(KeelMeters.DLQ_PARKED_KEYS).tag("group", groupB).gauge()).isNull();
      assertThat(gauge(meters, KeelMeters.DLQ_PARKED_KEYS, "group", groupA)).isEqualTo(1);
    }
  }

  private static Event relayed(String topic, String key, byte[] payload) {
    return Event.builder()
        .type("item.relayed")
        .topic(topic)
        .key(key)
        .source("test")
        .payload(payload)
        .build();
  }
}
