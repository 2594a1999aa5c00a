package dev.keel.outbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.keel.event.Event;
import dev.keel.event.sql.TableNames;
import dev.keel.test.IsolatedDatabase;
import dev.keel.test.KafkaBroker;
import dev.keel.test.KeelTest;
import dev.keel.test.Topics;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** A row that can never be published is set aside with its error; its lane keeps flowing. */
@KeelTest
class QuarantineIT {
  private static final int MAX_REQUEST = 100_000;

  /** With {@code cursorClaims} the row is copied to the quarantine and the cursor moves past it. */
  @ParameterizedTest(name = "cursor claims: {0}")
  @ValueSource(booleans = {false, true})
  void oversizedRecordIsQuarantinedAndTheLaneFlows(
      boolean cursorClaims, KafkaBroker broker, Topics topics, IsolatedDatabase db)
      throws Exception {
    String topic = topics.create("big", 1);
    Outbox outbox = Outbox.builder().lanes(8).maxPayloadBytes(1024 * 1024).build();
    List<UUID> quarantined = new CopyOnWriteArrayList<>();
    List<UUID> small = new ArrayList<>();
    UUID big;
    try (OutboxRelay relay =
            relay(db, broker)
                .cursorClaims(cursorClaims)
                .listener(
                    new OutboxRelayListener() {
                      @Override
                      public void onQuarantined(int lane, UUID eventId, String t, String error) {
                        quarantined.add(eventId);
                      }
                    })
                .build();
        TopicReader reader = new TopicReader(broker, topic)) {
      UUID[] bigId = new UUID[1];
      OutboxFixture.inTx(
          db.dataSource(),
          c -> {
            small.add(outbox.append(c, OutboxFixture.event(topic, "K", "before")));
            bigId[0] = outbox.append(c, bigEvent(topic));
            small.add(outbox.append(c, OutboxFixture.event(topic, "K", "after")));
          });
      big = bigId[0];
      relay.start();
      await().atMost(Duration.ofSeconds(30)).until(() -> reader.distinct() == 2);
      assertThat(reader.events()).extracting(Event::id).containsExactlyElementsOf(small);
      await().atMost(Duration.ofSeconds(10)).until(() -> quarantined.contains(big));
    }
    OutboxAdmin admin = OutboxAdmin.create(db.dataSource(), TableNames.defaults());
    assertThat(admin.quarantined(10))
        .singleElement()
        .satisfies(
            q -> {
              assertThat(q.eventId()).isEqualTo(big);
              assertThat(q.error()).contains("RecordTooLargeException");
              assertThat(q.payloadSize()).isGreaterThan(MAX_REQUEST);
              assertThat(q.key()).contains("K");
            });
    assertThat(admin.pending()).isZero();
    UUID unknown = UUID.randomUUID();
    assertThat(admin.discard(unknown, "alice")).isFalse();

    // The operator raises the producer's limit and sends the row back to its lane.
    assertThat(admin.retry(big, "alice")).isTrue();
    // both actions are on record, also the one that changed nothing
    assertThat(admin.audit(10))
        .extracting(
            a -> a.actor() + " " + a.action() + " " + a.eventId().orElseThrow() + " " + a.outcome())
        .containsExactly(
            "alice retry " + big + " done", "alice discard " + unknown + " not quarantined");
    assertThat(admin.quarantined(10)).isEmpty();
    assertThat(admin.pending()).isEqualTo(1);
    try (OutboxRelay bigger =
            OutboxFixture.relay(db.dataSource(), broker)
                .cursorClaims(cursorClaims)
                .producerProperties(
                    Map.of(
                        "bootstrap.servers",
                        broker.bootstrapServers(),
                        "max.request.size",
                        1_048_576))
                .build();
        TopicReader reader = new TopicReader(broker, topic)) {
      bigger.start();
      await().atMost(Duration.ofSeconds(30)).until(() -> reader.distinct() == 3);
      assertThat(reader.events()).extracting(Event::id).contains(big);
    }
    assertThat(admin.pending()).isZero();
  }

  @ParameterizedTest(name = "cursor claims: {0}")
  @ValueSource(booleans = {false, true})
  void strictLaneStopsAtTheBadRowUntilResumed(
      boolean cursorClaims, KafkaBroker broker, Topics topics, IsolatedDatabase db)
      throws Exception {
    String topic = topics.create("strict", 1);
    Outbox outbox = Outbox.builder().lanes(8).maxPayloadBytes(1024 * 1024).build();
    List<Integer> stopped = new CopyOnWriteArrayList<>();
    try (OutboxRelay relay =
            relay(db, broker)
                .cursorClaims(cursorClaims)
                .strictOrdering(true)
                .listener(
                    new OutboxRelayListener() {
                      @Override
                      public void onLaneStopped(int lane, String reason) {
                        stopped.add(lane);
                      }
                    })
                .build();
        TopicReader reader = new TopicReader(broker, topic)) {
      UUID[] ids = new UUID[3];
      OutboxFixture.inTx(
          db.dataSource(),
          c -> {
            ids[0] = outbox.append(c, OutboxFixture.event(topic, "K", "before"));
            ids[1] = outbox.append(c, bigEvent(topic));
            ids[2] = outbox.append(c, OutboxFixture.event(topic, "K", "after"));
          });
      relay.start();
      await().atMost(Duration.ofSeconds(30)).until(() -> stopped.size() == 1);
      OutboxAdmin admin = OutboxAdmin.create(db.dataSource(), TableNames.defaults());
      assertThat(admin.stoppedLanes()).containsOnlyKeys(outbox.laneOf("K"));
      // the reader may join its group late on a busy machine: first the event before the stop,
      // then a window in which nothing after it arrives
      await().atMost(Duration.ofSeconds(30)).until(() -> !reader.events().isEmpty());
      await()
          .during(Duration.ofSeconds(2))
          .atMost(Duration.ofSeconds(7))
          .until(() -> reader.events().stream().map(Event::id).toList().equals(List.of(ids[0])));
      assertThat(admin.pending()).isEqualTo(1);
      assertThat(admin.discard(ids[1], "bob")).isTrue();
      assertThat(admin.resumeLane(outbox.laneOf("K"), "bob")).isTrue();
      assertThat(admin.resumeLane(outbox.laneOf("K"), "bob")).isFalse();
      // a discarded event leaves a trace: who removed which event id, and who resumed the lane
      assertThat(admin.audit(10))
          .extracting(
              a ->
                  a.action()
                      + " "
                      + a.eventId().map(UUID::toString).orElse("-")
                      + " "
                      + a.lane().map(String::valueOf).orElse("-")
                      + " "
                      + a.outcome())
          .containsExactly(
              "resume - " + outbox.laneOf("K") + " not stopped",
              "resume - " + outbox.laneOf("K") + " done",
              "discard " + ids[1] + " - done");
      await().atMost(Duration.ofSeconds(30)).until(() -> reader.distinct() == 2);
      assertThat(reader.events()).extracting(Event::id).containsExactly(ids[0], ids[2]);
    }
  }

  private static OutboxRelay.Builder relay(IsolatedDatabase db, KafkaBroker broker) {
    dev.keel.event.sql.SchemaInstaller.builder()
        .dataSource(db.dataSource())
        .build()
        .install("outbox");
    return OutboxFixture.relay(db.dataSource(), broker)
        .leaseDuration(Duration.ofSeconds(1))
        .producerProperties(
            Map.of(
                "bootstrap.servers", broker.bootstrapServers(), "max.request.size", MAX_REQUEST));
  }

  private static Event bigEvent(String topic) {
    byte[] payload = new byte[MAX_REQUEST + 1000];
    java.util.Arrays.fill(payload, (byte) 'x');
    return OutboxFixture.event(topic, "K", new String(payload, StandardCharsets.UTF_8));
  }
}
