package dev.keel.consumer;

import static dev.keel.consumer.Fixture.counter;
import static dev.keel.consumer.Fixture.distinctEffects;
import static dev.keel.consumer.Fixture.effects;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.keel.consumer.Fixture.Item;
import dev.keel.test.IsolatedDatabase;
import dev.keel.test.KafkaBroker;
import dev.keel.test.KeelTest;
import dev.keel.test.Topics;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.junit.jupiter.api.Test;

/**
 * Bounded in-flight work and the lag gauge: with handlers blocked, the poll loop stops handing out
 * records at {@code maxInFlight}, {@code keel.consumer.lag} counts the records that wait, and after
 * the release everything is processed exactly once and the lag returns to zero.
 */
@KeelTest
class BackpressureAndLagIT {
  private static final Duration WAIT = Duration.ofSeconds(60);

  private static void produce(KafkaBroker broker, String topic, int events) {
    try (KafkaProducer<byte[], byte[]> producer = Fixture.producer(broker)) {
      for (int i = 0; i < events; i++) {
        Fixture.send(producer, Fixture.event(topic, "k" + i, i), 1); // every key different
      }
      producer.flush();
      Fixture.checkSent();
    }
  }

  private static double lag(SimpleMeterRegistry meters, String group) {
    Gauge g = meters.find("keel.consumer.lag").tag("group", group).gauge();
    return g == null ? Double.NaN : g.value();
  }

  /**
   * Per-key mode with 16 threads and 60 different keys could run 16 handlers at once; maxInFlight
   * of 5 (and one record per poll, so that one poll adds nothing beyond the bound) keeps it at 5.
   */
  @Test
  void handlersNeverHoldMoreThanMaxInFlightAndPollingPauses(
      KafkaBroker broker, Topics topics, IsolatedDatabase db) throws Exception {
    String topic = topics.create("items", 1);
    String group = Fixture.group();
    Fixture.createUniqueEffectTable(db.dataSource());
    int events = 60;
    int maxInFlight = 5;
    produce(broker, topic, events);
    CountDownLatch release = new CountDownLatch(1);
    AtomicInteger started = new AtomicInteger();
    AtomicInteger inHandler = new AtomicInteger();
    AtomicInteger maxInHandler = new AtomicInteger();
    Map<String, Object> props = Fixture.consumerProps(broker);
    props.put("max.poll.records", 1);
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    try (ConsumerRuntime runtime =
        Fixture.runtime(broker, db.dataSource())
            .consumerProperties(props)
            .maxInFlight(maxInFlight)
            .meterRegistry(meters)
            .listener(
                ListenerDefinition.builder()
                    .topic(topic)
                    .group(group)
                    .payloadType(Item.class)
                    .ordering(Ordering.KEY)
                    .concurrency(16)
                    .handler(
                        d -> {
                          started.incrementAndGet();
                          maxInHandler.accumulateAndGet(inHandler.incrementAndGet(), Math::max);
                          try {
                            release.await(60, TimeUnit.SECONDS);
                            Fixture.insertEffect(d.connection(), d, 0);
                          } finally {
                            inHandler.decrementAndGet();
                          }
                        })
                    .build())
            .build()) {
      runtime.start();
      Fixture.awaitOrExplain(
          WAIT,
          () -> inHandler.get() == maxInFlight,
          () -> "in handler " + inHandler.get() + ", started " + started.get());
      // paused: nothing more is handed out while the five wait, though 55 records are there
      await()
          .during(Duration.ofSeconds(1))
          .atMost(Duration.ofSeconds(5))
          .until(() -> started.get() == maxInFlight && inHandler.get() == maxInFlight);
      await().atMost(WAIT).until(() -> lag(meters, group) > 0);
      release.countDown();
      Fixture.awaitOrExplain(
          WAIT,
          () -> counter(meters, group, "processed") >= events,
          () -> "processed " + counter(meters, group, "processed") + ", started " + started);
      await().atMost(WAIT).until(() -> Fixture.committedTotal(broker, group) == events);
      assertThat(started.get()).as("each record handed to the handler once").isEqualTo(events);
      assertThat(maxInHandler.get()).isEqualTo(maxInFlight);
      assertThat(counter(meters, group, "duplicate")).isZero();
      assertThat(counter(meters, group, "retried")).isZero();
      assertThat(counter(meters, group, "dead_lettered")).isZero();
      assertThat(runtime.failure()).isEmpty();
    }
    assertThat(effects(db)).isEqualTo(events);
    assertThat(distinctEffects(db)).isEqualTo(events);
  }

  @Test
  void lagCountsWaitingRecordsAndReturnsToZero(
      KafkaBroker broker, Topics topics, IsolatedDatabase db) throws Exception {
    String topic = topics.create("items", 1);
    String group = Fixture.group();
    Fixture.createUniqueEffectTable(db.dataSource());
    int events = 20;
    produce(broker, topic, events);
    CountDownLatch entered = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    try (ConsumerRuntime runtime =
        Fixture.runtime(broker, db.dataSource())
            .meterRegistry(meters)
            .listener(
                ListenerDefinition.builder()
                    .topic(topic)
                    .group(group)
                    .payloadType(Item.class)
                    .handler(
                        d -> {
                          entered.countDown();
                          release.await(60, TimeUnit.SECONDS); // the first record blocks them all
                          Fixture.insertEffect(d.connection(), d, 0);
                        })
                    .build())
            .build()) {
      assertThat(lag(meters, group)).isNaN(); // no gauge before start
      runtime.start();
      assertThat(entered.await(60, TimeUnit.SECONDS)).isTrue();
      // nothing is committed: every record of the topic is behind
      Fixture.awaitOrExplain(
          WAIT, () -> lag(meters, group) == events, () -> "lag " + lag(meters, group));
      assertThat(Fixture.committedTotal(broker, group)).isZero();
      release.countDown();
      await().atMost(WAIT).until(() -> Fixture.committedTotal(broker, group) == events);
      Fixture.awaitOrExplain(
          WAIT, () -> lag(meters, group) == 0, () -> "lag " + lag(meters, group));
      assertThat(counter(meters, group, "processed")).isEqualTo(events);
    }
    assertThat(effects(db)).isEqualTo(events);
  }
}
