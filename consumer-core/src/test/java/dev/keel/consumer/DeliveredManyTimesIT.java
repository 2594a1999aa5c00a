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
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;

/**
 * Every record delivered one to three times (a duplicating producer, a forced rewind of the group,
 * a live consumer sent back to offset zero, two instances racing through rebalances): exactly one
 * effect per event and no exception. "No exception" is checked three ways: the effect table has a
 * primary key on the event id, so a second effect would fail inside the handler and count as
 * retried or dead-lettered (both must stay zero); every statement the runtime runs goes through a
 * {@link RecordingDataSource} that must record no {@link java.sql.SQLException}, the dedupe
 * insert's included; and the runtime must report no failure.
 */
@KeelTest
class DeliveredManyTimesIT {
  private static final Duration WAIT = Duration.ofSeconds(60);

  private final Queue<Throwable> handlerErrors = new ConcurrentLinkedQueue<>();
  private final AtomicLong handled = new AtomicLong();
  private final Queue<Counter> everyCounter = new ConcurrentLinkedQueue<>();

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
    Fixture.createUniqueEffectTable(db.dataSource());
    RecordingDataSource recording = new RecordingDataSource(db.dataSource());
    int events = 300;
    int sent = sendWithDuplicates(broker, topic, events, 42);
    SimpleMeterRegistry meters = meters();
    try (ConsumerRuntime runtime =
        Fixture.runtime(broker, recording.dataSource())
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
      assertNoErrorAnywhere(group, recording, runtime);
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
    rewoundGroup(broker, topics, db);
  }

  @Test
  void mariaDbRewoundGroupSeesOnlyDuplicates(
      KafkaBroker broker, Topics topics, @WithDatabase(DatabaseKind.MARIADB) IsolatedDatabase db)
      throws Exception {
    rewoundGroup(broker, topics, db);
  }

  @Test
  void mariaDbDuplicatingProducerInKeyModeWithBatches(
      KafkaBroker broker, Topics topics, @WithDatabase(DatabaseKind.MARIADB) IsolatedDatabase db)
      throws Exception {
    duplicatingProducer(broker, topics, db, Ordering.KEY, 20);
  }

  /** Stopped, rewound by the admin client, restarted: the second round sees only duplicates. */
  private void rewoundGroup(KafkaBroker broker, Topics topics, IsolatedDatabase db)
      throws Exception {
    String topic = topics.create("items", 2);
    String group = Fixture.group();
    Fixture.createUniqueEffectTable(db.dataSource());
    RecordingDataSource recording = new RecordingDataSource(db.dataSource());
    int sent = sendWithDuplicates(broker, topic, 200, 7);
    for (int round = 0; round < 2; round++) {
      SimpleMeterRegistry meters = meters();
      try (ConsumerRuntime runtime =
          Fixture.runtime(broker, recording.dataSource())
              .threads(2)
              .meterRegistry(meters)
              .listener(effectListener(topic, group, Ordering.PARTITION))
              .build()) {
        runtime.start();
        Fixture.awaitOrExplain(
            WAIT,
            () ->
                counter(meters, group, "processed")
                        + counter(meters, group, "duplicate")
                        + counter(meters, group, "dead_lettered")
                    >= sent,
            () -> state(broker, topic, 2, group, sent, meters, runtime));
        assertThat(counter(meters, group, "processed")).isEqualTo(round == 0 ? 200 : 0);
        assertThat(counter(meters, group, "duplicate")).isEqualTo(round == 0 ? sent - 200 : sent);
        assertNoErrorAnywhere(group, recording, runtime);
      }
      assertThat(effects(db)).isEqualTo(200);
      assertThat(Fixture.committedTotal(broker, group)).isEqualTo(sent);
      Fixture.rewind(broker, group, topic, 2); // forced seek back for the next round
    }
    assertThat(distinctEffects(db)).isEqualTo(200);
  }

  /**
   * A forced seek back of a consumer that keeps running: another member joins the group, takes some
   * partitions in the rebalance, commits offset 0 for them and leaves; the running consumer gets
   * them back and reads them again from the start, with no restart in between.
   */
  @Test
  void liveConsumerSentBackToOffsetZeroSeesOnlyDuplicates(
      KafkaBroker broker, Topics topics, IsolatedDatabase db) throws Exception {
    String topic = topics.create("items", 4);
    String group = Fixture.group();
    Fixture.createUniqueEffectTable(db.dataSource());
    RecordingDataSource recording = new RecordingDataSource(db.dataSource());
    int events = 200;
    int sent = sendWithDuplicates(broker, topic, events, 11);
    SimpleMeterRegistry meters = meters();
    try (ConsumerRuntime runtime =
        Fixture.runtime(broker, recording.dataSource())
            .threads(3)
            .maxBatchSize(20)
            .meterRegistry(meters)
            .listener(effectListener(topic, group, Ordering.KEY))
            .build()) {
      runtime.start();
      Fixture.awaitOrExplain(
          WAIT,
          () -> Fixture.committedTotal(broker, group) == sent,
          () -> state(broker, topic, 4, group, sent, meters, runtime));
      assertThat(counter(meters, group, "processed")).isEqualTo(events);

      Set<TopicPartition> rewound = sendBackToZero(broker, group, topic);
      long again = endOffsets(broker, rewound);
      assertThat(rewound).isNotEmpty().hasSizeLessThan(4);
      assertThat(again).isPositive();
      Fixture.awaitOrExplain(
          WAIT,
          () ->
              counter(meters, group, "processed") + counter(meters, group, "duplicate")
                  >= sent + again,
          () -> state(broker, topic, 4, group, sent, meters, runtime) + ", again " + again);
      await().atMost(WAIT).until(() -> Fixture.committedTotal(broker, group) == sent);
      assertThat(runtime.isRunning()).isTrue();
      assertThat(counter(meters, group, "processed")).isEqualTo(events);
      assertThat(counter(meters, group, "duplicate")).isEqualTo(sent - events + again);
      assertNoErrorAnywhere(group, recording, runtime);
    }
    assertThat(effects(db)).isEqualTo(events);
    assertThat(distinctEffects(db)).isEqualTo(events);
  }

  /**
   * Joins the group with a plain consumer, commits offset 0 for the partitions the rebalance gives
   * it, and leaves; returns those partitions.
   */
  private static Set<TopicPartition> sendBackToZero(
      KafkaBroker broker, String group, String topic) {
    Map<String, Object> props = new HashMap<>(broker.clientProperties());
    props.put(ConsumerConfig.GROUP_ID_CONFIG, group);
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    try (KafkaConsumer<byte[], byte[]> member =
        new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      member.subscribe(List.of(topic));
      await()
          .atMost(WAIT)
          .pollInSameThread()
          .until(
              () -> {
                member.poll(Duration.ofMillis(100));
                return !member.assignment().isEmpty();
              });
      Set<TopicPartition> taken = Set.copyOf(member.assignment());
      Map<TopicPartition, OffsetAndMetadata> zero = new HashMap<>();
      taken.forEach(tp -> zero.put(tp, new OffsetAndMetadata(0)));
      member.commitSync(zero, Duration.ofSeconds(10));
      return taken;
    }
  }

  private static long endOffsets(KafkaBroker broker, Set<TopicPartition> partitions)
      throws Exception {
    try (Admin admin = Admin.create(broker.clientProperties())) {
      Map<TopicPartition, OffsetSpec> specs = new HashMap<>();
      partitions.forEach(tp -> specs.put(tp, OffsetSpec.latest()));
      return admin.listOffsets(specs).all().get(10, TimeUnit.SECONDS).values().stream()
          .mapToLong(o -> o.offset())
          .sum();
    }
  }

  /**
   * No retry, no dead letter, no handler exception, no SQL exception (the dedupe insert's included)
   * and no runtime failure.
   */
  private void assertNoErrorAnywhere(
      String group, RecordingDataSource recording, ConsumerRuntime... runtimes) {
    assertThat(everCounted(group, "retried")).as("retried").isZero();
    assertThat(everCounted(group, "dead_lettered")).as("dead_lettered").isZero();
    assertThat(handlerErrors).as("exceptions in the handler").isEmpty();
    assertThat(recording.failures()).as("SQL exceptions").isEmpty();
    for (ConsumerRuntime runtime : runtimes) {
      assertThat(runtime.failure()).as("runtime failure").isEmpty();
    }
  }

  /**
   * A registry whose counters stay readable through {@link #everCounted} after the runtime closed:
   * closing removes the meters from the registry (an assertion on {@code registry.find} after close
   * would read zero and always pass).
   */
  private SimpleMeterRegistry meters() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    registry
        .config()
        .onMeterAdded(
            m -> {
              if (m instanceof Counter c) {
                everyCounter.add(c);
              }
            });
    return registry;
  }

  /** The sum of a result's counters over every runtime of the test, closed ones included. */
  private double everCounted(String group, String result) {
    return everyCounter.stream()
        .filter(c -> c.getId().getName().equals("keel.consumer.records"))
        .filter(c -> group.equals(c.getId().getTag("group")))
        .filter(c -> result.equals(c.getId().getTag("result")))
        .mapToDouble(Counter::count)
        .sum();
  }

  @Test
  void twoInstancesRacingThroughRebalances(KafkaBroker broker, Topics topics, IsolatedDatabase db)
      throws Exception {
    String topic = topics.create("items", 6);
    String group = Fixture.group();
    Fixture.createUniqueEffectTable(db.dataSource());
    RecordingDataSource recording = new RecordingDataSource(db.dataSource());
    SimpleMeterRegistry metersA = meters();
    SimpleMeterRegistry metersB = meters();
    ConsumerRuntime a =
        Fixture.runtime(broker, recording.dataSource())
            .threads(3)
            .meterRegistry(metersA)
            .listener(effectListener(topic, group, Ordering.KEY))
            .build();
    ConsumerRuntime b =
        Fixture.runtime(broker, recording.dataSource())
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
    assertNoErrorAnywhere(group, recording, a, b);
    assertThat(everCounted(group, "processed")).isEqualTo(events);
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
