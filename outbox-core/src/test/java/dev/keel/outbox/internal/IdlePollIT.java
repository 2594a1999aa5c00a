package dev.keel.outbox.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.keel.event.Event;
import dev.keel.event.config.KeelKafka;
import dev.keel.event.kafka.KafkaRecords;
import dev.keel.event.support.PausePoints.Gate;
import dev.keel.outbox.Outbox;
import dev.keel.outbox.OutboxFixture;
import dev.keel.outbox.OutboxRelay;
import dev.keel.outbox.internal.RelayHooks.Point;
import dev.keel.test.DatabaseKind;
import dev.keel.test.IsolatedDatabase;
import dev.keel.test.KafkaBroker;
import dev.keel.test.KeelTest;
import dev.keel.test.TopicRecorder;
import dev.keel.test.Topics;
import dev.keel.test.WithDatabase;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * An idle worker whose claims come back empty but slowly (as they do while a transaction holding
 * many appended rows is open: every claim steps over those rows) waits nine times as long as such a
 * claim took before it claims again, and the commit's NOTIFY still wakes it for the rows. The slow
 * claim is made slow on purpose, by holding the worker at {@link Point#CLAIM_DONE}, so that the
 * test does not depend on how fast this machine scans rows.
 */
@KeelTest
class IdlePollIT {
  private static final Duration WAIT = Duration.ofSeconds(30);

  @AfterEach
  void disarm() {
    RelayHooks.reset();
  }

  /** PostgreSQL: the commit's NOTIFY ends the wait. */
  @Test
  void aSlowEmptyClaimSpacesTheNextAndTheCommitStillWakesTheWorker(
      KafkaBroker broker, Topics topics, IsolatedDatabase db) throws Exception {
    // Some 14 s of the 18 s wait are left at the commit; publishing 500 rows takes a fraction of a
    // second, so the rows can only be out within 10 s if the NOTIFY woke the worker.
    slowEmptyClaimThenCommit(
        broker, topics.create("idle-poll", 1), db, Duration.ofSeconds(3), Duration.ofSeconds(10));
  }

  /**
   * MariaDB: no NOTIFY, the relay only polls. The claims find the open transaction's rows held by
   * the fence; after the commit the rows come with the next claim, at the latest when the 10 s wait
   * is over, every one of them once and in order.
   */
  @Test
  void mariaDbSpacesTheNextClaimAndPublishesEveryRowAfterTheWait(
      KafkaBroker broker, Topics topics, @WithDatabase(DatabaseKind.MARIADB) IsolatedDatabase db)
      throws Exception {
    slowEmptyClaimThenCommit(
        broker, topics.create("idle-poll-maria", 1), db, Duration.ofSeconds(1), WAIT);
  }

  /**
   * A transaction appends 500 rows and stays open; the worker's next claim is held for 2 s, so that
   * it took at least that long and found nothing; then no claim may start for the next 4 s (at the
   * poll interval one or more would: the worker waits min(9 x 2 s, 10 x poll), 18 s at a 3 s poll
   * and 10 s at 1 s, and a slower machine only starts fewer); then the transaction commits and
   * every row is published once, in order, within {@code publishedWithin}.
   */
  private static void slowEmptyClaimThenCommit(
      KafkaBroker broker,
      String topic,
      IsolatedDatabase db,
      Duration poll,
      Duration publishedWithin)
      throws Exception {
    Outbox outbox = Outbox.builder().lanes(1).build();
    try (OutboxRelay relay =
            OutboxRelay.builder()
                .dataSource(db.dataSource())
                .kafka(KeelKafka.builder().properties(broker.clientProperties()).build())
                .lanes(1)
                .workers(1)
                .pollInterval(poll)
                .leaseDuration(Duration.ofSeconds(30))
                .closeTimeout(Duration.ofSeconds(10))
                .build();
        TopicRecorder<Event> reader = new TopicRecorder<>(broker, topic, KafkaRecords::toEvent);
        Connection bulk = db.dataSource().getConnection()) {
      relay.start();
      bulk.setAutoCommit(false);
      List<UUID> appended = new ArrayList<>();
      for (int i = 0; i < 500; i++) {
        appended.add(outbox.append(bulk, OutboxFixture.event(topic, "K", "row " + i)));
      }
      Gate slow = RelayHooks.pause(Point.CLAIM_DONE, 1);
      assertThat(slow.awaitArrivals(1, WAIT)).isTrue();
      Thread.sleep(2000); // the empty pass's own length is what the worker's wait is scaled by
      Gate claims = RelayHooks.count(Point.CLAIM_STARTED);
      slow.release();
      await()
          .during(Duration.ofSeconds(4))
          .atMost(Duration.ofSeconds(10))
          .until(() -> claims.passed() == 0);

      bulk.commit();
      await().atMost(publishedWithin).until(() -> reader.values().size() >= appended.size());
      assertThat(reader.values().stream().map(Event::id).toList()).isEqualTo(appended);
    }
  }
}
