package dev.keel.outbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.keel.event.Event;
import dev.keel.event.sql.TableNames;
import dev.keel.test.IsolatedDatabase;
import dev.keel.test.KafkaBroker;
import dev.keel.test.KeelTest;
import dev.keel.test.Topics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * A bad topic or partition holds back only its own lane: rows to a missing topic are not sent (and
 * do not block the worker), and a lane Kafka does not acknowledge is given up.
 */
@KeelTest
class LaneIsolationIT {

  @Test
  void rowsToAMissingTopicDoNotDelayAnotherLaneOfTheSameWorker(
      KafkaBroker broker, Topics topics, IsolatedDatabase db) throws Exception {
    String healthy = topics.create("healthy", 1);
    String absent = "absent-" + UUID.randomUUID();
    installSchema(db);
    Outbox outbox = Outbox.builder().lanes(8).build();
    String[] keys = keysInLaneOrder(outbox);
    List<UUID> absentIds = new ArrayList<>();
    UUID[] healthyId = new UUID[1];
    OutboxFixture.inTx(
        db.dataSource(),
        c -> {
          for (int i = 0; i < 4; i++) {
            absentIds.add(outbox.append(c, OutboxFixture.event(absent, keys[0], "a" + i)));
          }
          healthyId[0] = outbox.append(c, OutboxFixture.event(healthy, keys[1], "b"));
        });
    OutboxAdmin admin = OutboxAdmin.create(db.dataSource(), TableNames.defaults());
    Map<String, Object> producer = new HashMap<>(broker.clientProperties());
    // Before the fix, each send to the missing topic blocked the worker this long, and the lane
    // of the missing topic comes first in the worker's pass.
    producer.put("max.block.ms", 600_000);
    try (OutboxRelay relay =
            OutboxFixture.relay(db.dataSource(), broker)
                .workers(1)
                .maxAttempts(1_000)
                .producerProperties(producer)
                .build();
        TopicReader reader = new TopicReader(broker, healthy)) {
      relay.start();
      await().atMost(Duration.ofSeconds(30)).until(() -> reader.distinct() == 1);
      assertThat(reader.events()).extracting(Event::id).containsExactly(healthyId[0]);
      assertThat(admin.pending()).as("rows to the missing topic wait").isEqualTo(4);
      assertThat(admin.quarantined(10)).isEmpty();

      // Once the topic exists, its rows go out in order without a restart.
      broker.createTopic(absent, 1);
      try (TopicReader late = new TopicReader(broker, absent)) {
        await().atMost(Duration.ofSeconds(30)).until(() -> late.distinct() == 4);
        assertThat(late.events()).extracting(Event::id).containsExactlyElementsOf(absentIds);
      }
      await().atMost(Duration.ofSeconds(10)).until(() -> admin.pending() == 0);
    }
  }

  @Test
  void rowsToAMissingTopicAreQuarantinedAfterMaxAttempts(
      KafkaBroker broker, Topics topics, IsolatedDatabase db) throws Exception {
    String healthy = topics.create("healthy", 1);
    String absent = "absent-" + UUID.randomUUID();
    installSchema(db);
    Outbox outbox = Outbox.builder().lanes(8).build();
    List<UUID> quarantined = new CopyOnWriteArrayList<>();
    UUID[] ids = new UUID[3];
    OutboxFixture.inTx(
        db.dataSource(),
        c -> {
          ids[0] = outbox.append(c, OutboxFixture.event(healthy, "K", "before"));
          ids[1] = outbox.append(c, OutboxFixture.event(absent, "K", "lost"));
          ids[2] = outbox.append(c, OutboxFixture.event(healthy, "K", "after"));
        });
    try (OutboxRelay relay =
            OutboxFixture.relay(db.dataSource(), broker)
                .maxAttempts(3)
                .listener(
                    new OutboxRelayListener() {
                      @Override
                      public void onQuarantined(int lane, UUID eventId, String t, String error) {
                        quarantined.add(eventId);
                      }
                    })
                .build();
        TopicReader reader = new TopicReader(broker, healthy)) {
      relay.start();
      await().atMost(Duration.ofSeconds(30)).until(() -> quarantined.contains(ids[1]));
      await().atMost(Duration.ofSeconds(30)).until(() -> reader.distinct() == 2);
      assertThat(reader.events()).extracting(Event::id).containsExactly(ids[0], ids[2]);
    }
    OutboxAdmin admin = OutboxAdmin.create(db.dataSource(), TableNames.defaults());
    assertThat(admin.quarantined(10))
        .singleElement()
        .satisfies(
            q -> {
              assertThat(q.eventId()).isEqualTo(ids[1]);
              assertThat(q.error()).contains("UnknownTopicOrPartitionException").contains(absent);
              assertThat(q.attempts()).isEqualTo(3);
            });
    assertThat(admin.pending()).isZero();
  }

  @Test
  void aLaneKafkaDoesNotAcknowledgeIsGivenUpAndTakenBackAfterwards(IsolatedDatabase db)
      throws Exception {
    try (KafkaBroker broker = KafkaBroker.startEmbeddedPausable(Map.of())) {
      broker.createTopic("unacked", 1);
      Outbox outbox = Outbox.builder().lanes(8).build();
      int lane = outbox.laneOf("K");
      List<Integer> released = new CopyOnWriteArrayList<>();
      try (OutboxRelay relay =
              OutboxFixture.relay(db.dataSource(), broker)
                  .workers(1)
                  .leaseDuration(Duration.ofSeconds(1))
                  .ackTimeout(Duration.ofSeconds(2))
                  .listener(
                      new OutboxRelayListener() {
                        @Override
                        public void onLaneReleased(int l) {
                          released.add(l);
                        }
                      })
                  .build();
          TopicReader reader = new TopicReader(broker, "unacked")) {
        relay.start();
        await().atMost(Duration.ofSeconds(30)).until(() -> relay.ownedLanes().size() == 8);
        UUID first = append(db, outbox, "first");
        await().atMost(Duration.ofSeconds(30)).until(() -> reader.distinct() == 1);

        broker.pause();
        UUID second = append(db, outbox, "second");
        await().atMost(Duration.ofSeconds(30)).until(() -> released.contains(lane));
        assertThat(released).containsOnly(lane);
        OutboxAdmin admin = OutboxAdmin.create(db.dataSource(), TableNames.defaults());
        assertThat(admin.pending()).as("the unacknowledged row stays in the outbox").isEqualTo(1);

        broker.resume();
        await().atMost(Duration.ofSeconds(60)).until(() -> admin.pending() == 0);
        await().atMost(Duration.ofSeconds(30)).until(() -> reader.distinct() == 2);
        assertThat(reader.events()).extracting(Event::id).startsWith(first).contains(second);
        await().atMost(Duration.ofSeconds(30)).until(() -> relay.ownedLanes().size() == 8);
        assertThat(epochOf(db, lane)).as("released, then taken again").isGreaterThan(1);
      }
    }
  }

  @Test
  void anotherInstanceTakesOverALaneGivenUpForWantOfAcknowledgements(IsolatedDatabase db)
      throws Exception {
    try (KafkaBroker broker = KafkaBroker.startEmbeddedPausable(Map.of())) {
      broker.createTopic("unacked", 1);
      Outbox outbox = Outbox.builder().lanes(8).build();
      Map<String, List<Integer>> acquired = new java.util.concurrent.ConcurrentHashMap<>();
      try (OutboxRelay a = instance(db, broker, "a", acquired);
          OutboxRelay b = instance(db, broker, "b", acquired);
          TopicReader reader = new TopicReader(broker, "unacked")) {
        a.start();
        b.start();
        await()
            .atMost(Duration.ofSeconds(30))
            .until(() -> a.ownedLanes().size() == 4 && b.ownedLanes().size() == 4);
        String key = null;
        for (int i = 0; key == null; i++) {
          if (a.ownedLanes().contains(outbox.laneOf("k" + i))) {
            key = "k" + i;
          }
        }
        int lane = outbox.laneOf(key);
        String k = key;
        OutboxFixture.inTx(
            db.dataSource(), c -> outbox.append(c, OutboxFixture.event("unacked", k, "warm")));
        await().atMost(Duration.ofSeconds(30)).until(() -> reader.distinct() == 1);

        broker.pause();
        OutboxFixture.inTx(
            db.dataSource(), c -> outbox.append(c, OutboxFixture.event("unacked", k, "stuck")));
        // a gives the lane up and steps out of the membership for a while: b takes the lane.
        await()
            .atMost(Duration.ofSeconds(30))
            .until(() -> acquired.getOrDefault("b", List.of()).contains(lane));

        broker.resume();
        OutboxAdmin admin = OutboxAdmin.create(db.dataSource(), TableNames.defaults());
        await().atMost(Duration.ofSeconds(60)).until(() -> admin.pending() == 0);
        await().atMost(Duration.ofSeconds(30)).until(() -> reader.distinct() == 2);
      }
    }
  }

  private static OutboxRelay instance(
      IsolatedDatabase db, KafkaBroker broker, String id, Map<String, List<Integer>> acquired) {
    return OutboxFixture.relay(db.dataSource(), broker)
        .instanceId(id)
        .workers(1)
        .leaseDuration(Duration.ofSeconds(1))
        .ackTimeout(Duration.ofSeconds(2))
        .listener(
            new OutboxRelayListener() {
              @Override
              public void onLaneAcquired(int lane, long epoch) {
                acquired.computeIfAbsent(id, x -> new CopyOnWriteArrayList<>()).add(lane);
              }
            })
        .build();
  }

  private static long epochOf(IsolatedDatabase db, int lane) throws Exception {
    try (java.sql.Connection c = db.dataSource().getConnection();
        java.sql.PreparedStatement ps =
            c.prepareStatement("select epoch from keel_outbox_lease where lane = ?")) {
      ps.setInt(1, lane);
      try (java.sql.ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }

  private static void installSchema(IsolatedDatabase db) {
    dev.keel.event.sql.SchemaInstaller.builder()
        .dataSource(db.dataSource())
        .build()
        .install("outbox");
  }

  private static UUID append(IsolatedDatabase db, Outbox outbox, String payload) throws Exception {
    UUID[] id = new UUID[1];
    OutboxFixture.inTx(
        db.dataSource(),
        c -> id[0] = outbox.append(c, OutboxFixture.event("unacked", "K", payload)));
    return id[0];
  }

  /** Two keys, the first on a lower lane than the second. */
  private static String[] keysInLaneOrder(Outbox outbox) {
    for (int i = 0; ; i++) {
      String a = "a" + i;
      for (int j = 0; j < 100; j++) {
        String b = "b" + j;
        if (outbox.laneOf(a) < outbox.laneOf(b)) {
          return new String[] {a, b};
        }
      }
    }
  }
}
