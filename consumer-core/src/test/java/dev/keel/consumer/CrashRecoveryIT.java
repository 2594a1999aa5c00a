package dev.keel.consumer;

import static dev.keel.consumer.Fixture.counter;
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
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.junit.jupiter.api.Test;

/**
 * A consumer process killed with SIGKILL after database commits whose offsets were never committed:
 * its successor receives those records again and applies no second effect.
 */
@KeelTest
class CrashRecoveryIT {

  @Test
  void killedAfterDbCommitBeforeOffsetCommitHasNoSecondEffect(
      KafkaBroker broker, Topics topics, IsolatedDatabase db) throws Exception {
    killedAfterDbCommit(broker, topics, db);
  }

  @Test
  void mariaDbKilledAfterDbCommitBeforeOffsetCommitHasNoSecondEffect(
      KafkaBroker broker, Topics topics, @WithDatabase(DatabaseKind.MARIADB) IsolatedDatabase db)
      throws Exception {
    killedAfterDbCommit(broker, topics, db);
  }

  private void killedAfterDbCommit(KafkaBroker broker, Topics topics, IsolatedDatabase db)
      throws Exception {
    String topic = topics.create("items", 2);
    String group = Fixture.group();
    Fixture.createEffectTable(db.dataSource());
    int events = 400;
    try (KafkaProducer<byte[], byte[]> producer = Fixture.producer(broker)) {
      for (int i = 0; i < events; i++) {
        Fixture.send(producer, Fixture.event(topic, "k" + (i % 13), i), 1);
      }
      producer.flush();
      Fixture.checkSent();
    }

    Path log = Files.createTempFile("keel-crash-child", ".log");
    Process child =
        new ProcessBuilder(
                List.of(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp",
                    System.getProperty("java.class.path"),
                    CrashChild.class.getName(),
                    broker.bootstrapServers(),
                    topic,
                    group,
                    db.jdbcUrl(),
                    db.user(),
                    db.password()))
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    long beforeKill;
    try {
      await().atMost(Duration.ofSeconds(90)).until(() -> effects(db) >= 100 || !child.isAlive());
      assertThat(child.isAlive()).as("child process is running; log in %s", log).isTrue();
    } finally {
      child.destroyForcibly(); // SIGKILL: no close, no revoke, no offset commit
      child.waitFor(30, TimeUnit.SECONDS);
    }
    beforeKill = effects(db);
    assertThat(beforeKill).isBetween(100L, (long) events);
    assertThat(Fixture.committed(broker, group).values())
        .as("the killed consumer committed no offset")
        .allMatch(o -> o == null);

    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    AtomicLong handled = new AtomicLong();
    try (ConsumerRuntime successor =
        Fixture.runtime(broker, db.dataSource())
            .meterRegistry(meters)
            .listener(
                ListenerDefinition.builder()
                    .topic(topic)
                    .group(group)
                    .payloadType(Item.class)
                    .handler(
                        d -> Fixture.insertEffect(d.connection(), d, handled.incrementAndGet()))
                    .build())
            .build()) {
      successor.start();
      await()
          .atMost(Duration.ofSeconds(60))
          .until(
              () ->
                  counter(meters, group, "processed") + counter(meters, group, "duplicate")
                      >= events);
      assertThat(counter(meters, group, "duplicate")).isEqualTo(beforeKill);
      assertThat(counter(meters, group, "processed")).isEqualTo(events - beforeKill);
    }
    assertThat(effects(db)).isEqualTo(events);
    assertThat(Fixture.distinctEffects(db)).isEqualTo(events);
    new File(log.toString()).delete();
  }
}
