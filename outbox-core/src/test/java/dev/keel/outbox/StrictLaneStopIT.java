package dev.keel.outbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.keel.event.Event;
import dev.keel.event.sql.SchemaInstaller;
import dev.keel.event.sql.TableNames;
import dev.keel.test.IsolatedDatabase;
import dev.keel.test.KafkaBroker;
import dev.keel.test.KeelTest;
import dev.keel.test.Topics;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.Test;

/**
 * A strictly ordered lane stops at the first row it cannot publish, whatever the failure (here a
 * retriable one: the row's topic does not exist, and its attempts run out), and neither publishes
 * nor deletes the later rows of the lane past it.
 */
@KeelTest
class StrictLaneStopIT {

  @Test
  void aLaneStopsAtARowWhoseRetriesRunOutAndHoldsTheRowsBehindIt(
      KafkaBroker broker, Topics topics, IsolatedDatabase db) throws Exception {
    SchemaInstaller.builder().dataSource(db.dataSource()).build().install("outbox");
    String topic = topics.create("strict", 1);
    String missing = "missing-" + UUID.randomUUID(); // never created; auto-create is off
    Outbox outbox = Outbox.builder().lanes(1).build();
    UUID[] ids = new UUID[3];
    OutboxFixture.inTx(
        db.dataSource(),
        c -> {
          ids[0] = outbox.append(c, OutboxFixture.event(topic, "K", "{\"n\":0}"));
          ids[1] = outbox.append(c, OutboxFixture.event(missing, "K", "{\"n\":1}"));
          ids[2] = outbox.append(c, OutboxFixture.event(topic, "K", "{\"n\":2}"));
        });
    OutboxAdmin admin = OutboxAdmin.create(db.dataSource(), TableNames.defaults());
    try (OutboxRelay relay =
            OutboxFixture.relay(db.dataSource(), broker)
                .lanes(1)
                .strictOrdering(true)
                .maxAttempts(3)
                .producerProperties(
                    Map.of("bootstrap.servers", broker.bootstrapServers(), "max.block.ms", 300))
                .build();
        TopicReader reader = new TopicReader(broker, topic)) {
      relay.start();
      await().atMost(Duration.ofSeconds(60)).until(() -> !admin.stoppedLanes().isEmpty());
      assertThat(admin.stoppedLanes()).containsOnlyKeys(0);
      assertThat(admin.quarantined(10))
          .extracting(QuarantinedEvent::eventId)
          .containsExactly(ids[1]);
      assertThat(admin.pending()).as("the row behind the stop is kept").isEqualTo(1);
      // the reader may join its group late on a busy machine: first the event before the stop,
      // then a window in which nothing after it arrives
      await().atMost(Duration.ofSeconds(30)).until(() -> !reader.events().isEmpty());
      await()
          .during(Duration.ofSeconds(1))
          .atMost(Duration.ofSeconds(6))
          .until(() -> reader.events().stream().map(Event::id).toList().equals(List.of(ids[0])));

      assertThat(admin.discard(ids[1], "ops")).isTrue();
      assertThat(admin.resumeLane(0, "ops")).isTrue();
      await().atMost(Duration.ofSeconds(30)).until(() -> reader.distinct() == 2);
      assertThat(reader.events()).extracting(Event::id).containsExactly(ids[0], ids[2]);
      assertThat(admin.pending()).isZero();
    }
  }

  /**
   * The broker refuses a row (too large for its topic, which the producer cannot know): the lane
   * stops there, the row is quarantined, and no later row of its key reached Kafka before it, since
   * a strict lane has one row per key in flight. Rows of another key go on until the stop and keep
   * their own order; the refused key's next row is published once, after the resume.
   */
  @Test
  void aRowTheBrokerRefusesStopsTheLaneBeforeAnyLaterRowOfItsKeyIsSent(
      KafkaBroker broker, Topics topics, IsolatedDatabase db) throws Exception {
    SchemaInstaller.builder().dataSource(db.dataSource()).build().install("outbox");
    String topic = "small-" + UUID.randomUUID();
    try (Admin kafkaAdmin = Admin.create(broker.clientProperties())) {
      kafkaAdmin
          .createTopics(
              List.of(
                  new NewTopic(topic, 1, (short) 1).configs(Map.of("max.message.bytes", "2000"))))
          .all()
          .get(30, TimeUnit.SECONDS);
    }
    Outbox outbox = Outbox.builder().lanes(1).build();
    UUID[] k = new UUID[3];
    UUID[] l = new UUID[2];
    OutboxFixture.inTx(
        db.dataSource(),
        c -> {
          k[0] = outbox.append(c, OutboxFixture.event(topic, "K", "{\"n\":0}"));
          l[0] = outbox.append(c, OutboxFixture.event(topic, "L", "{\"n\":0}"));
          k[1] = outbox.append(c, OutboxFixture.event(topic, "K", "x".repeat(5000)));
          k[2] = outbox.append(c, OutboxFixture.event(topic, "K", "{\"n\":2}"));
          l[1] = outbox.append(c, OutboxFixture.event(topic, "L", "{\"n\":1}"));
        });
    OutboxAdmin admin = OutboxAdmin.create(db.dataSource(), TableNames.defaults());
    try (OutboxRelay relay =
            OutboxFixture.relay(db.dataSource(), broker).lanes(1).strictOrdering(true).build();
        TopicReader reader = new TopicReader(broker, topic)) {
      relay.start();
      await().atMost(Duration.ofSeconds(60)).until(() -> !admin.stoppedLanes().isEmpty());
      assertThat(admin.quarantined(10)).extracting(QuarantinedEvent::eventId).containsExactly(k[1]);
      // one partition: a row of K sent with or before L's last row would be read before it
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> reader.events().stream().map(Event::id).toList().contains(l[1]));
      List<UUID> beforeResume = reader.events().stream().map(Event::id).toList();
      assertThat(beforeResume)
          .as("nothing of key K behind the refused row reached Kafka before the lane stopped")
          .doesNotContain(k[1], k[2]);
      assertThat(beforeResume).as("key L keeps its order").containsSubsequence(l[0], l[1]);
      assertThat(beforeResume).doesNotHaveDuplicates();

      assertThat(admin.discard(k[1], "ops")).isTrue();
      assertThat(admin.resumeLane(0, "ops")).isTrue();
      await().atMost(Duration.ofSeconds(30)).until(() -> admin.pending() == 0);
      await().atMost(Duration.ofSeconds(30)).until(() -> reader.events().size() == 4);
      List<UUID> all = reader.events().stream().map(Event::id).toList();
      assertThat(all).containsExactlyInAnyOrder(k[0], l[0], l[1], k[2]);
      assertThat(all).containsSubsequence(k[0], k[2]);
      assertThat(all).containsSubsequence(l[0], l[1]);
    }
  }
}
