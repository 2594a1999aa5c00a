package dev.keel.outbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.keel.event.Event;
import dev.keel.test.DatabaseKind;
import dev.keel.test.IsolatedDatabase;
import dev.keel.test.KafkaBroker;
import dev.keel.test.KeelTest;
import dev.keel.test.Topics;
import dev.keel.test.WithDatabase;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Transaction A appends key K first and commits after transaction B appended K and committed: the
 * consumer must see A's event before B's.
 *
 * <p>The fence compares transaction ids: it holds when B's transaction took its id at its append
 * (its first write), the case covered here. The README states the limit: a transaction that wrote
 * something before an earlier append of the same key by another transaction is not held back.
 */
@KeelTest
class LateCommitIT {

  @Test
  void earlierAppendCommittedLaterIsStillPublishedFirst(
      KafkaBroker broker, Topics topics, IsolatedDatabase db) throws Exception {
    check(broker, topics.create("late", 1), db, false);
  }

  @Test
  void mariaDb(
      KafkaBroker broker, Topics topics, @WithDatabase(DatabaseKind.MARIADB) IsolatedDatabase db)
      throws Exception {
    check(broker, topics.create("late", 1), db, false);
  }

  private void check(KafkaBroker broker, String topic, IsolatedDatabase db, boolean bWritesFirst)
      throws Exception {
    Outbox outbox = Outbox.builder().lanes(8).build();
    try (OutboxRelay relay =
            OutboxFixture.relay(db.dataSource(), broker)
                .pollInterval(Duration.ofMillis(50))
                .build();
        TopicReader reader = new TopicReader(broker, topic);
        Connection a = db.dataSource().getConnection();
        Connection b = db.dataSource().getConnection()) {
      relay.start();
      try (Statement st = a.createStatement()) {
        st.execute("create table business(id int primary key)");
      }
      a.setAutoCommit(false);
      b.setAutoCommit(false);
      if (bWritesFirst) {
        try (Statement st = b.createStatement()) {
          st.execute("insert into business values (2)");
        }
      }
      Event eventA = OutboxFixture.event(topic, "K", "A");
      Event eventB = OutboxFixture.event(topic, "K", "B");
      UUID idA = outbox.append(a, eventA);
      UUID idB = outbox.append(b, eventB);
      b.commit();
      // The relay polls every 50 ms: give it many chances to publish B too early.
      await()
          .during(Duration.ofMillis(1500))
          .atMost(Duration.ofSeconds(5))
          .until(() -> reader.events().isEmpty());
      a.commit();
      await().atMost(Duration.ofSeconds(30)).until(() -> reader.distinct() == 2);
      List<UUID> order = reader.events().stream().map(Event::id).distinct().toList();
      assertThat(order).containsExactly(idA, idB);
    }
  }
}
