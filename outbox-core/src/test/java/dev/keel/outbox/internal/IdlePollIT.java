package dev.keel.outbox.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.keel.event.Event;
import dev.keel.event.kafka.KafkaRecords;
import dev.keel.event.support.PausePoints.Gate;
import dev.keel.outbox.Outbox;
import dev.keel.outbox.OutboxFixture;
import dev.keel.outbox.OutboxRelay;
import dev.keel.outbox.internal.RelayHooks.Point;
import dev.keel.test.IsolatedDatabase;
import dev.keel.test.KafkaBroker;
import dev.keel.test.KeelTest;
import dev.keel.test.TopicRecorder;
import dev.keel.test.Topics;
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
  private static final Duration POLL = Duration.ofSeconds(1);

  @AfterEach
  void disarm() {
    RelayHooks.reset();
  }

  @Test
  void aSlowEmptyClaimSpacesTheNextAndTheCommitStillWakesTheWorker(
      KafkaBroker broker, Topics topics, IsolatedDatabase db) throws Exception {
    String topic = topics.create("idle-poll", 1);
    Outbox outbox = Outbox.builder().lanes(1).build();
    try (OutboxRelay relay =
            OutboxRelay.builder()
                .dataSource(db.dataSource())
                .producerProperties(broker.clientProperties())
                .lanes(1)
                .workers(1)
                .pollInterval(POLL)
                .leaseDuration(Duration.ofSeconds(30))
                .closeTimeout(Duration.ofSeconds(10))
                .build();
        TopicRecorder<Event> reader = new TopicRecorder<>(broker, topic, KafkaRecords::toEvent);
        Connection bulk = db.dataSource().getConnection()) {
      relay.start();
      // A transaction appends rows and stays open: the worker's claims find none of them.
      bulk.setAutoCommit(false);
      List<UUID> appended = new ArrayList<>();
      for (int i = 0; i < 500; i++) {
        appended.add(outbox.append(bulk, OutboxFixture.event(topic, "K", "row " + i)));
      }
      Gate slow = RelayHooks.pause(Point.CLAIM_DONE, 1);
      assertThat(slow.awaitArrivals(1, WAIT)).isTrue();
      Thread.sleep(2000); // the empty claim now took at least 2 s
      Gate claims = RelayHooks.count(Point.CLAIM_STARTED);
      slow.release();
      // At the poll interval, about four claims would start in the next 4 s; the worker now waits
      // min(9 x 2 s, 10 x 1 s) = 10 s. A slower machine only starts fewer.
      Thread.sleep(4000);
      assertThat(claims.passed()).isZero();

      // The commit's NOTIFY ends the wait: the rows go out long before its 10 s are over (some 6 s
      // are left; publishing 500 rows takes a fraction of a second).
      bulk.commit();
      await().atMost(Duration.ofSeconds(5)).until(() -> reader.values().size() >= appended.size());
      assertThat(reader.values().stream().map(Event::id).toList()).isEqualTo(appended);
    }
  }
}
