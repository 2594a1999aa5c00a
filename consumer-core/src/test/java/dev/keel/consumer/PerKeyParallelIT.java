package dev.keel.consumer;

import static dev.keel.consumer.Fixture.counter;
import static dev.keel.consumer.Fixture.effects;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.keel.consumer.Fixture.Item;
import dev.keel.test.IsolatedDatabase;
import dev.keel.test.KafkaBroker;
import dev.keel.test.KeelTest;
import dev.keel.test.Topics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.junit.jupiter.api.Test;

/**
 * Per-key parallelism inside one partition: per-key order, offsets committed only below the lowest
 * unfinished record, and a graceful close that finishes what it started.
 */
@KeelTest
class PerKeyParallelIT {
  private static final Duration WAIT = Duration.ofSeconds(90);

  private static void produce(KafkaBroker broker, String topic, int keys, int perKey) {
    try (KafkaProducer<byte[], byte[]> producer = Fixture.producer(broker)) {
      for (int round = 0; round < perKey; round++) {
        for (int k = 0; k < keys; k++) {
          Fixture.send(producer, Fixture.event(topic, "k" + k, round), 1);
        }
      }
      producer.flush();
      Fixture.checkSent();
    }
  }

  @Test
  void thousandKeysOnOnePartitionKeepPerKeyOrder(
      KafkaBroker broker, Topics topics, IsolatedDatabase db) throws Exception {
    String topic = topics.create("items", 1);
    String group = Fixture.group();
    Fixture.createEffectTable(db.dataSource());
    int keys = 1000;
    int perKey = 3;
    produce(broker, topic, keys, perKey);
    AtomicLong handled = new AtomicLong();
    AtomicInteger running = new AtomicInteger();
    AtomicInteger maxRunning = new AtomicInteger();
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    Map<String, Object> props = Fixture.consumerProps(broker);
    props.put("max.poll.records", 100);
    try (ConsumerRuntime runtime =
        Fixture.runtime(broker, db.dataSource())
            .consumerProperties(props)
            .maxInFlight(200)
            .meterRegistry(meters)
            .listener(
                ListenerDefinition.builder()
                    .topic(topic)
                    .group(group)
                    .payloadType(Item.class)
                    .ordering(Ordering.KEY)
                    .concurrency(8)
                    .handler(
                        d -> {
                          maxRunning.accumulateAndGet(running.incrementAndGet(), Math::max);
                          try {
                            Fixture.insertEffect(d.connection(), d, handled.incrementAndGet());
                            Thread.sleep(1); // workload, so that keys overlap
                          } finally {
                            running.decrementAndGet();
                          }
                        })
                    .build())
            .build()) {
      runtime.start();
      await().atMost(WAIT).until(() -> counter(meters, group, "processed") >= keys * perKey);
      await().atMost(WAIT).until(() -> Fixture.committedTotal(broker, group) == keys * perKey);
    }
    assertThat(effects(db)).isEqualTo(keys * perKey);
    assertThat(maxRunning.get()).as("different keys ran concurrently").isGreaterThan(1);
    Map<String, List<Integer>> seqByKey = new HashMap<>();
    try (Connection c = db.dataSource().getConnection();
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT k, seq FROM effect ORDER BY handled")) {
      while (rs.next()) {
        seqByKey.computeIfAbsent(rs.getString(1), k -> new ArrayList<>()).add(rs.getInt(2));
      }
    }
    assertThat(seqByKey).hasSize(keys);
    seqByKey.forEach(
        (k, seqs) -> assertThat(seqs).as("order of key %s", k).containsExactly(0, 1, 2));
  }

  @Test
  void offsetsStayBelowTheLowestUnfinishedRecord(
      KafkaBroker broker, Topics topics, IsolatedDatabase db) throws Exception {
    String topic = topics.create("items", 1);
    String group = Fixture.group();
    Fixture.createEffectTable(db.dataSource());
    produce(broker, topic, 10, 6); // offset i has key k(i % 10)
    CountDownLatch release = new CountDownLatch(1);
    AtomicLong handled = new AtomicLong();
    try (ConsumerRuntime runtime =
        Fixture.runtime(broker, db.dataSource())
            .listener(
                ListenerDefinition.builder()
                    .topic(topic)
                    .group(group)
                    .payloadType(Item.class)
                    .ordering(Ordering.KEY)
                    .concurrency(4)
                    .handler(
                        d -> {
                          if (d.offset() == 5) {
                            release.await(60, TimeUnit.SECONDS); // k5 stalls at offset 5
                          }
                          Fixture.insertEffect(d.connection(), d, handled.incrementAndGet());
                        })
                    .build())
            .build()) {
      runtime.start();
      // every other key finishes; k5's later records wait behind offset 5
      await().atMost(WAIT).until(() -> effects(db) == 54);
      await().atMost(WAIT).until(() -> Fixture.committedTotal(broker, group) == 5);
      await()
          .during(Duration.ofMillis(500))
          .atMost(Duration.ofSeconds(5))
          .until(() -> Fixture.committedTotal(broker, group) == 5);
      release.countDown();
      await().atMost(WAIT).until(() -> Fixture.committedTotal(broker, group) == 60);
    }
    assertThat(effects(db)).isEqualTo(60);
    assertThat(Fixture.seqsOf(db.dataSource(), "k5")).containsExactly(0, 1, 2, 3, 4, 5);
  }

  @Test
  void closeFinishesInFlightRecordsAndCommitsThem(
      KafkaBroker broker, Topics topics, IsolatedDatabase db) throws Exception {
    String topic = topics.create("items", 1);
    String group = Fixture.group();
    Fixture.createEffectTable(db.dataSource());
    produce(broker, topic, 1, 5);
    CountDownLatch entered = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    AtomicLong handled = new AtomicLong();
    ListenerDefinition listener =
        ListenerDefinition.builder()
            .topic(topic)
            .group(group)
            .payloadType(Item.class)
            .handler(
                d -> {
                  if (d.offset() == 2 && handled.get() < 3) {
                    entered.countDown();
                    release.await(60, TimeUnit.SECONDS);
                  }
                  Fixture.insertEffect(d.connection(), d, handled.incrementAndGet());
                })
            .build();
    // one record per transaction, so that "in flight" is one record, not a batch
    ConsumerRuntime first =
        Fixture.runtime(broker, db.dataSource()).maxBatchSize(1).listener(listener).build();
    first.start();
    assertThat(entered.await(60, TimeUnit.SECONDS)).isTrue();
    Thread closer = new Thread(first::close, "closer");
    closer.start();
    // close has marked the partitions closed and waits for the record being handled: the poll
    // thread is in its shutdown's wait (a state, not a time window)
    await().atMost(WAIT).until(PerKeyParallelIT::shutdownWaitsForHandlers);
    assertThat(closer.isAlive()).isTrue();
    release.countDown();
    closer.join(30_000);
    assertThat(closer.isAlive()).isFalse();
    assertThat(effects(db)).isEqualTo(3); // offsets 0, 1 and the in-flight 2
    assertThat(Fixture.committedTotal(broker, group)).isEqualTo(3); // 3 and 4 were not started

    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    try (ConsumerRuntime second =
        Fixture.runtime(broker, db.dataSource()).meterRegistry(meters).listener(listener).build()) {
      second.start();
      await().atMost(WAIT).until(() -> counter(meters, group, "processed") >= 2);
      assertThat(counter(meters, group, "duplicate")).isZero();
    }
    assertThat(effects(db)).isEqualTo(5);
  }

  /** Whether a poll thread is in {@code PollLoop.shutdown}, waiting for records being handled. */
  private static boolean shutdownWaitsForHandlers() {
    return Thread.getAllStackTraces().values().stream()
        .anyMatch(
            stack -> {
              boolean waiting = false;
              for (StackTraceElement f : stack) {
                if (f.getClassName().equals("dev.keel.consumer.internal.PollLoop")) {
                  if (f.getMethodName().equals("awaitIdle")) {
                    waiting = true;
                  } else if (waiting && f.getMethodName().equals("shutdown")) {
                    return true;
                  }
                }
              }
              return false;
            });
  }
}
