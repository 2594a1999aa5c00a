package dev.keel.consumer;

import static dev.keel.consumer.Fixture.counter;
import static dev.keel.consumer.Fixture.distinctEffects;
import static dev.keel.consumer.Fixture.effects;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.keel.consumer.Fixture.Item;
import dev.keel.test.DatabaseKind;
import dev.keel.test.IsolatedDatabase;
import dev.keel.test.KafkaBroker;
import dev.keel.test.KeelTest;
import dev.keel.test.Topics;
import dev.keel.test.WithDatabase;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.Queue;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.junit.jupiter.api.Test;

/**
 * Every record delivered one to three times (a duplicating producer, a forced rewind of the group,
 * two instances racing through rebalances): exactly one effect per event and no exception.
 */
@KeelTest
class DeliveredManyTimesIT {
  private static final Duration WAIT = Duration.ofSeconds(60);

  private final Queue<Throwable> handlerErrors = new ConcurrentLinkedQueue<>();
  private final AtomicLong handled = new AtomicLong();

  private ListenerDefinition effectListener(String topic, String group, Ordering ordering) {
    return ListenerDefinition.builder()
        .topic(topic)
        .group(group)
        .eventType("item.added")
        .payloadType(Item.class)
        .ordering(ordering)
        .handler(
            d -> {
              try {
                Fixture.insertEffect(d.connection(), d, handled.incrementAndGet());
              } catch (Exception e) {
                handlerErrors.add(e);
                throw e;
              }
            })
        .build();
  }

  /** Sends n events, each 1 to 3 times; returns the number of records sent. */
  private static int sendWithDuplicates(KafkaBroker broker, String topic, int n, long seed) {
    Random random = new Random(seed);
    int sent = 0;
    try (KafkaProducer<byte[], byte[]> producer = Fixture.producer(broker)) {
      for (int i = 0; i < n; i++) {
        int copies = 1 + random.nextInt(3);
        Fixture.send(producer, Fixture.event(topic, "k" + (i % 37), i), copies);
        sent += copies;
      }
      producer.flush();
      Fixture.checkSent();
    }
    return sent;
  }

  @Test
  void duplicatingProducerGivesOneEffectPerEvent(
      KafkaBroker broker, Topics topics, IsolatedDatabase db) throws Exception {
    duplicatingProducer(broker, topics, db, Ordering.PARTITION, 1);
  }

  @Test
  void duplicatingProducerInKeyModeWithBatches(
      KafkaBroker broker, Topics topics, IsolatedDatabase db) throws Exception {
    duplicatingProducer(broker, topics, db, Ordering.KEY, 20);
  }

  @Test
  void mariaDbDuplicatingProducer(
      KafkaBroker broker, Topics topics, @WithDatabase(DatabaseKind.MARIADB) IsolatedDatabase db)
      throws Exception {
    duplicatingProducer(broker, topics, db, Ordering.PARTITION, 1);
  }

  @Test
  void h2DuplicatingProducer(
      KafkaBroker broker, Topics topics, @WithDatabase(DatabaseKind.H2) IsolatedDatabase db)
      throws Exception {
    duplicatingProducer(broker, topics, db, Ordering.PARTITION, 1);
  }

  private void duplicatingProducer(
      KafkaBroker broker, Topics topics, IsolatedDatabase db, Ordering ordering, int batch)
      throws Exception {
    String topic = topics.create("items", 4);
    String group = Fixture.group();
    Fixture.createEffectTable(db.dataSource());
    int events = 300;
    int sent = sendWithDuplicates(broker, topic, events, 42);
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    try (ConsumerRuntime runtime =
        Fixture.runtime(broker, db.dataSource())
            .threads(4)
            .maxBatchSize(batch)
            .meterRegistry(meters)
            .listener(effectListener(topic, group, ordering))
            .build()) {
      runtime.start();
      Fixture.awaitOrExplain(
          WAIT,
          () ->
              counter(meters, group, "processed")
                      + counter(meters, group, "duplicate")
                      + counter(meters, group, "dead_lettered")
                  >= sent,
          () -> state(broker, topic, 4, group, sent, meters, runtime));
      assertThat(effects(db)).isEqualTo(events);
      assertThat(distinctEffects(db)).isEqualTo(events);
      assertThat(counter(meters, group, "processed")).isEqualTo(events);
      assertThat(counter(meters, group, "duplicate")).isEqualTo(sent - events);
      assertThat(counter(meters, group, "retried")).isZero();
      assertThat(counter(meters, group, "dead_lettered")).isZero();
      assertThat(handlerErrors).isEmpty();
      await().atMost(WAIT).until(() -> Fixture.committedTotal(broker, group) == sent);
      assertThat(meters.find("keel.consumer.handle.duration").timer().count()).isEqualTo(sent);
      await()
          .atMost(WAIT)
          .until(() -> meters.find("keel.consumer.lag").tag("group", group).gauge().value() == 0);
    }
  }

  @Test
  void rewoundGroupSeesOnlyDuplicates(KafkaBroker broker, Topics topics, IsolatedDatabase db)
      throws Exception {
    String topic = topics.create("items", 2);
    String group = Fixture.group();
    Fixture.createEffectTable(db.dataSource());
    int sent = sendWithDuplicates(broker, topic, 200, 7);
    for (int round = 0; round < 2; round++) {
      SimpleMeterRegistry meters = new SimpleMeterRegistry();
      try (ConsumerRuntime runtime =
          Fixture.runtime(broker, db.dataSource())
              .threads(2)
              .meterRegistry(meters)
              .listener(effectListener(topic, group, Ordering.PARTITION))
              .build()) {
        runtime.start();
        await()
            .atMost(WAIT)
            .until(
                () ->
                    counter(meters, group, "processed")
                            + counter(meters, group, "duplicate")
                            + counter(meters, group, "dead_lettered")
                        >= sent);
        if (round == 1) {
          assertThat(counter(meters, group, "processed")).isZero();
          assertThat(counter(meters, group, "duplicate")).isEqualTo(sent);
        }
      }
      assertThat(effects(db)).isEqualTo(200);
      assertThat(Fixture.committedTotal(broker, group)).isEqualTo(sent);
      Fixture.rewind(broker, group, topic, 2); // forced seek back for the next round
    }
    assertThat(distinctEffects(db)).isEqualTo(200);
    assertThat(handlerErrors).isEmpty();
  }

  @Test
  void twoInstancesRacingThroughRebalances(KafkaBroker broker, Topics topics, IsolatedDatabase db)
      throws Exception {
    String topic = topics.create("items", 6);
    String group = Fixture.group();
    Fixture.createEffectTable(db.dataSource());
    SimpleMeterRegistry metersA = new SimpleMeterRegistry();
    SimpleMeterRegistry metersB = new SimpleMeterRegistry();
    ConsumerRuntime a =
        Fixture.runtime(broker, db.dataSource())
            .threads(3)
            .meterRegistry(metersA)
            .listener(effectListener(topic, group, Ordering.KEY))
            .build();
    ConsumerRuntime b =
        Fixture.runtime(broker, db.dataSource())
            .threads(3)
            .meterRegistry(metersB)
            .listener(effectListener(topic, group, Ordering.PARTITION))
            .build();
    int events = 600;
    int sent;
    try (a;
        b) {
      a.start();
      sent = sendWithDuplicates(broker, topic, events / 2, 1);
      await().atMost(WAIT).until(() -> handled.get() > 50);
      b.start(); // rebalance while A is busy
      sent += sendWithDuplicatesFrom(broker, topic, events / 2, events / 2, 2);
      await().atMost(WAIT).until(() -> handled.get() > events / 2 + 50);
      a.close(); // rebalance again: B takes everything, A commits what it finished
      int total = sent;
      await().atMost(WAIT).until(() -> distinctEffects(db) == events);
      await().atMost(WAIT).until(() -> Fixture.committedTotal(broker, group) == total);
    }
    assertThat(effects(db)).isEqualTo(events);
    assertThat(handlerErrors).isEmpty();
    double deadLettered =
        counter(metersA, group, "dead_lettered") + counter(metersB, group, "dead_lettered");
    assertThat(deadLettered).isZero();
  }

  /** What the runtime and the broker say, for a timeout message. */
  private static String state(
      KafkaBroker broker,
      String topic,
      int partitions,
      String group,
      int sent,
      SimpleMeterRegistry meters,
      ConsumerRuntime runtime) {
    StringBuilder b = new StringBuilder().append("sent ").append(sent);
    for (String result : new String[] {"processed", "duplicate", "dead_lettered", "retried"}) {
      b.append(", ").append(result).append(' ').append((long) counter(meters, group, result));
    }
    b.append(", running ").append(runtime.isRunning());
    runtime.failure().ifPresent(f -> b.append(", failure ").append(f));
    try {
      b.append(", records in topic ").append(Fixture.endOffsetsTotal(broker, topic, partitions));
      b.append(", committed ").append(Fixture.committedTotal(broker, group));
    } catch (Exception e) {
      b.append(", offsets unavailable: ").append(e);
    }
    return b.toString();
  }

  private static int sendWithDuplicatesFrom(
      KafkaBroker broker, String topic, int from, int n, long seed) {
    Random random = new Random(seed);
    int sent = 0;
    try (KafkaProducer<byte[], byte[]> producer = Fixture.producer(broker)) {
      for (int i = from; i < from + n; i++) {
        int copies = 1 + random.nextInt(3);
        Fixture.send(producer, Fixture.event(topic, "k" + (i % 37), i), copies);
        sent += copies;
      }
      producer.flush();
      Fixture.checkSent();
    }
    return sent;
  }
}
