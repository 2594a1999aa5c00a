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
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.junit.jupiter.api.Test;

/**
 * Finished work is committed on revoke: a consumer that never commits on its own (commit interval
 * of an hour) hands its partitions over in a rebalance, and the new owner sees no duplicate.
 */
@KeelTest
class RebalanceCommitIT {

  @Test
  void revokeCommitsFinishedRecords(KafkaBroker broker, Topics topics, IsolatedDatabase db)
      throws Exception {
    String topic = topics.create("items", 4);
    String group = Fixture.group();
    Fixture.createEffectTable(db.dataSource());
    int events = 400;
    produce(broker, topic, 0, events / 2);
    AtomicLong handled = new AtomicLong();
    ListenerDefinition listener =
        ListenerDefinition.builder()
            .topic(topic)
            .group(group)
            .payloadType(Item.class)
            .handler(
                d -> {
                  Fixture.insertEffect(d.connection(), d, handled.incrementAndGet());
                  Thread.sleep(20); // workload: the rebalance lands mid-stream
                })
            .build();
    SimpleMeterRegistry metersA = new SimpleMeterRegistry();
    SimpleMeterRegistry metersB = new SimpleMeterRegistry();
    try (ConsumerRuntime a =
            Fixture.runtime(broker, db.dataSource())
                .threads(2)
                // small batches: every partition is part-way through when the rebalance lands
                .maxBatchSize(10)
                .commitInterval(Duration.ofHours(1)) // commits only on revoke and close
                .meterRegistry(metersA)
                .listener(listener)
                .build();
        ConsumerRuntime b =
            Fixture.runtime(broker, db.dataSource())
                .threads(2)
                .maxBatchSize(10)
                .meterRegistry(metersB)
                .listener(listener)
                .build()) {
      a.start();
      await().atMost(Duration.ofSeconds(60)).until(() -> handled.get() >= 20);
      b.start();
      // A commits only when partitions are revoked: a commit means B joined. The second half comes
      // after it, so that B has records of its own however late it joined on a busy machine.
      await().atMost(Duration.ofSeconds(90)).until(() -> Fixture.committedTotal(broker, group) > 0);
      produce(broker, topic, events / 2, events);
      await().atMost(Duration.ofSeconds(90)).until(() -> effects(db) == events);
      a.close();
      await()
          .atMost(Duration.ofSeconds(60))
          .until(() -> Fixture.committedTotal(broker, group) == events);
      assertThat(counter(metersB, group, "processed")).isPositive(); // B took partitions over
      assertThat(counter(metersA, group, "duplicate") + counter(metersB, group, "duplicate"))
          .as("no record finished before the rebalance was delivered again")
          .isZero();
    }
    assertThat(effects(db)).isEqualTo(events);
    assertThat(Fixture.distinctEffects(db)).isEqualTo(events);
  }

  private static void produce(KafkaBroker broker, String topic, int from, int to) {
    try (KafkaProducer<byte[], byte[]> p = Fixture.producer(broker)) {
      for (int i = from; i < to; i++) {
        Fixture.send(p, Fixture.event(topic, "k" + (i % 31), i), 1);
      }
      p.flush();
    }
  }
}
