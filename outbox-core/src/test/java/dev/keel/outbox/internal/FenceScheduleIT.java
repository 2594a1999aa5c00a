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
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The PostgreSQL commit-order fence under the interleavings that once let a late-committing row be
 * skipped, each forced by holding the relay's threads at named points ({@link RelayHooks}).
 *
 * <p>In both, P writes a business row first (so its transaction id is older), T appends key K, P
 * appends K and commits and is published while T is still open; T's row has the lower id and must
 * still be published once T commits.
 */
@KeelTest
class FenceScheduleIT {
  private static final Duration WAIT = Duration.ofSeconds(30);

  @AfterEach
  void disarm() {
    RelayHooks.reset();
  }

  /**
   * The straggler T commits while the worker is away, and samples show every transaction below the
   * lane's bound finished before the worker's next claim: the claim must still start below T's row.
   */
  @Test
  void stragglerCommittingBetweenClaimsIsClaimed(
      KafkaBroker broker, Topics topics, IsolatedDatabase db) throws Exception {
    String topic = topics.create("straggler", 1);
    try (Scenario s = new Scenario(broker, topic, db)) {
      s.pAndTOpen();
      s.p.commit();
      await().atMost(WAIT).until(() -> s.published().contains(s.idP));
      Gate worker = RelayHooks.pause(Point.CLAIM_STARTED, 1);
      assertThat(worker.awaitArrivals(1, WAIT)).isTrue();
      s.t.commit();
      Gate samples = RelayHooks.count(Point.SAMPLE_RECORDED);
      // The second sample from now started after T committed: its xmin is past T and the bound.
      assertThat(samples.awaitArrivals(2, WAIT)).isTrue();
      worker.release();
      await().atMost(WAIT).until(() -> s.published().contains(s.idT));
      assertThat(s.published()).containsExactly(s.idP, s.idT);
    }
  }

  /**
   * A sample whose query ran before T existed finishes only after P was published: its bound is
   * below T's transaction id, so it must not serve as the bound of P's row.
   */
  @Test
  void sampleStartedBeforeThePublishIsNotTheBound(
      KafkaBroker broker, Topics topics, IsolatedDatabase db) throws Exception {
    String topic = topics.create("early-sample", 1);
    try (Scenario s = new Scenario(broker, topic, db)) {
      Gate sampler = RelayHooks.pause(Point.SAMPLE_QUERIED, 1);
      assertThat(sampler.awaitArrivals(1, WAIT)).isTrue();
      s.pAndTOpen();
      Gate batch = RelayHooks.pause(Point.BATCH_SETTLED, 1);
      s.p.commit();
      assertThat(batch.awaitArrivals(1, WAIT)).isTrue();
      await().atMost(WAIT).until(() -> s.published().contains(s.idP));
      Gate samples = RelayHooks.count(Point.SAMPLE_RECORDED);
      sampler.release();
      batch.release();
      // Let the lane settle as far as it will while T is open: two more samples, then two claims.
      assertThat(samples.awaitArrivals(3, WAIT)).isTrue();
      Gate claims = RelayHooks.count(Point.CLAIM_DONE);
      assertThat(claims.awaitArrivals(2, WAIT)).isTrue();
      s.t.commit();
      await().atMost(WAIT).until(() -> s.published().contains(s.idT));
      assertThat(s.published()).containsExactly(s.idP, s.idT);
    }
  }

  /**
   * E is committed, T appends between E and P and is still open when the worker claims E and P, and
   * commits before the worker removes them: T's row lies inside the removed batch's id range but is
   * not in the batch, and must stay, to be published after it.
   */
  @Test
  void rowCommittingInsideARemovedRangeStays(KafkaBroker broker, Topics topics, IsolatedDatabase db)
      throws Exception {
    String topic = topics.create("inside-range", 1);
    try (Scenario s = new Scenario(broker, topic, db)) {
      Gate before = RelayHooks.pause(Point.CLAIM_STARTED, 1);
      assertThat(before.awaitArrivals(1, WAIT)).isTrue();
      UUID idE;
      try (Connection e = db.dataSource().getConnection()) {
        e.setAutoCommit(false);
        idE = s.outbox.append(e, s.event("E"));
        e.commit();
      }
      s.pAndTOpen();
      s.p.commit();
      Gate claimed = RelayHooks.pause(Point.CLAIM_DONE, 1);
      before.release();
      assertThat(claimed.awaitArrivals(1, WAIT)).isTrue();
      s.t.commit(); // inside the claimed range [E, P], after the claim
      claimed.release();
      await().atMost(WAIT).until(() -> s.published().contains(s.idT));
      assertThat(s.published()).containsExactly(idE, s.idP, s.idT);
      await().atMost(WAIT).until(() -> s.left(db) == 0);
    }
  }

  /** One relay on one lane, a topic recorder and the two open transactions P and T. */
  static final class Scenario implements AutoCloseable {
    final OutboxRelay relay;
    final TopicRecorder<Event> reader;
    final Connection p;
    final Connection t;
    final Outbox outbox = Outbox.builder().lanes(1).build();
    final String topic;
    UUID idP;
    UUID idT;

    Scenario(KafkaBroker broker, String topic, IsolatedDatabase db) throws Exception {
      this.topic = topic;
      relay =
          OutboxRelay.builder()
              .dataSource(db.dataSource())
              .producerProperties(broker.clientProperties())
              .lanes(1)
              .workers(1)
              .pollInterval(Duration.ofMillis(50))
              .leaseDuration(Duration.ofSeconds(30))
              .backoff(Duration.ofMillis(50), Duration.ofSeconds(1))
              .closeTimeout(Duration.ofSeconds(10))
              .build();
      reader = new TopicRecorder<>(broker, topic, KafkaRecords::toEvent);
      p = db.dataSource().getConnection();
      t = db.dataSource().getConnection();
      relay.start();
      try (Statement st = p.createStatement()) {
        st.execute("create table business(id int primary key)");
      }
    }

    /** P takes the older transaction id, T appends first, then P appends. Neither commits. */
    void pAndTOpen() throws Exception {
      p.setAutoCommit(false);
      t.setAutoCommit(false);
      try (Statement st = p.createStatement()) {
        st.execute("insert into business values (1)");
      }
      idT = outbox.append(t, event("T"));
      idP = outbox.append(p, event("P"));
    }

    Event event(String payload) {
      return OutboxFixture.event(topic, "K", payload);
    }

    long left(IsolatedDatabase db) throws Exception {
      try (Connection c = db.dataSource().getConnection();
          Statement st = c.createStatement();
          java.sql.ResultSet rs = st.executeQuery("select count(*) from keel_outbox")) {
        rs.next();
        return rs.getLong(1);
      }
    }

    List<UUID> published() {
      return reader.values().stream().map(Event::id).distinct().toList();
    }

    @Override
    public void close() throws Exception {
      RelayHooks.reset();
      try (p;
          t;
          reader;
          relay) {
        if (!p.getAutoCommit()) {
          p.rollback();
        }
        if (!t.getAutoCommit()) {
          t.rollback();
        }
      }
    }
  }
}
