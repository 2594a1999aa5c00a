package dev.keel.outbox.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.keel.event.Event;
import dev.keel.event.kafka.KafkaRecords;
import dev.keel.event.support.PausePoints.Gate;
import dev.keel.outbox.Outbox;
import dev.keel.outbox.OutboxFixture;
import dev.keel.outbox.OutboxRelay;
import dev.keel.outbox.OutboxRelayListener;
import dev.keel.outbox.internal.RelayHooks.Point;
import dev.keel.test.DatabaseKind;
import dev.keel.test.IsolatedDatabase;
import dev.keel.test.KafkaBroker;
import dev.keel.test.KeelTest;
import dev.keel.test.TopicRecorder;
import dev.keel.test.Topics;
import dev.keel.test.WithDatabase;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The commit-order fence and the fenced removal on MariaDB, under forced interleavings. */
@KeelTest
class InnoDbFenceIT {
  private static final Duration WAIT = Duration.ofSeconds(30);

  @AfterEach
  void disarm() {
    RelayHooks.reset();
  }

  /**
   * Monitoring reads {@code information_schema.innodb_trx} all the time, which keeps InnoDB from
   * refreshing that table: A appended key K first and is still open, B appended K and committed. B
   * must wait for A however long A stays open.
   */
  @Test
  void laterAppendWaitsWhileMonitoringReadsInnoDbTrx(
      KafkaBroker broker, Topics topics, @WithDatabase(DatabaseKind.MARIADB) IsolatedDatabase db)
      throws Exception {
    String topic = topics.create("stale-trx", 1);
    Outbox outbox = Outbox.builder().lanes(1).build();
    ScheduledExecutorService monitoring = Executors.newSingleThreadScheduledExecutor();
    try (OutboxRelay relay = relay(db.dataSource(), broker).build();
        TopicRecorder<Event> reader = new TopicRecorder<>(broker, topic, KafkaRecords::toEvent);
        Connection m = db.dataSource().getConnection();
        Connection a = db.dataSource().getConnection();
        Connection b = db.dataSource().getConnection()) {
      relay.start();
      monitoring.scheduleAtFixedRate(
          () -> {
            try (Statement st = m.createStatement();
                ResultSet rs =
                    st.executeQuery("select count(*) from information_schema.innodb_trx")) {
              rs.next();
            } catch (SQLException e) {
              // the test ends
            }
          },
          0,
          20,
          TimeUnit.MILLISECONDS);
      a.setAutoCommit(false);
      b.setAutoCommit(false);
      UUID idA = outbox.append(a, event(topic, "A"));
      UUID idB = outbox.append(b, event(topic, "B"));
      b.commit();
      Gate claims = RelayHooks.count(Point.CLAIM_DONE);
      // Longer than the one-second margin the relay once relied on, and many claims: counted by
      // the hook, however long each takes on a busy machine.
      long since = System.nanoTime();
      assertThat(claims.awaitArrivals(5, WAIT)).isTrue();
      long left = Math.max(1, 2500 - TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - since));
      await()
          .during(Duration.ofMillis(left))
          .atMost(WAIT.plusMillis(left))
          .until(() -> reader.values().isEmpty());
      a.commit();
      await().atMost(WAIT).until(() -> ids(reader).size() == 2);
      assertThat(ids(reader)).containsExactly(idA, idB);
    } finally {
      monitoring.shutdownNow();
      monitoring.awaitTermination(10, TimeUnit.SECONDS);
    }
  }

  /**
   * The worker read the lane's ids at READ UNCOMMITTED and is held before its committed read; T
   * appends K and stays open, P appends K and commits. The committed read then shows P's row only,
   * which the first read did not see: it must wait for T.
   */
  @Test
  void rowCommittedBetweenTheTwoReadsWaitsForTheOpenRowBelowIt(
      KafkaBroker broker, Topics topics, @WithDatabase(DatabaseKind.MARIADB) IsolatedDatabase db)
      throws Exception {
    String topic = topics.create("between-reads", 1);
    Outbox outbox = Outbox.builder().lanes(1).build();
    try (OutboxRelay relay = relay(db.dataSource(), broker).build();
        TopicRecorder<Event> reader = new TopicRecorder<>(broker, topic, KafkaRecords::toEvent);
        Connection t = db.dataSource().getConnection();
        Connection p = db.dataSource().getConnection()) {
      relay.start();
      Gate worker = RelayHooks.pause(Point.UNCOMMITTED_READ, 1);
      assertThat(worker.awaitArrivals(1, WAIT)).isTrue();
      t.setAutoCommit(false);
      p.setAutoCommit(false);
      UUID idT = outbox.append(t, event(topic, "T"));
      UUID idP = outbox.append(p, event(topic, "P"));
      p.commit();
      Gate claims = RelayHooks.count(Point.CLAIM_DONE);
      worker.release();
      // The held claim and two more end while T is open; a row they let go would be deleted by now.
      assertThat(claims.awaitArrivals(3, WAIT)).isTrue();
      p.setAutoCommit(true);
      assertThat(count(p, "keel_outbox")).as("P's row is still waiting").isEqualTo(1);
      t.commit();
      await().atMost(WAIT).until(() -> ids(reader).size() == 2);
      assertThat(ids(reader)).containsExactly(idT, idP);
    }
  }

  /**
   * With markPublished, the lane is taken over (its epoch bumped) after the rows were copied to the
   * published table and before they were deleted, with READ COMMITTED connections. The takeover
   * must wait for the removal, and the lane must not be stuck on a duplicate key afterwards.
   */
  @Test
  void takeoverCannotLandBetweenCopyAndDelete(
      KafkaBroker broker, Topics topics, @WithDatabase(DatabaseKind.MARIADB) IsolatedDatabase db)
      throws Exception {
    String topic = topics.create("mark-takeover", 1);
    Outbox outbox = Outbox.builder().lanes(1).build();
    HikariConfig hc = new HikariConfig();
    hc.setJdbcUrl(db.jdbcUrl());
    hc.setUsername(db.user());
    hc.setPassword(db.password());
    hc.setMaximumPoolSize(8);
    hc.setTransactionIsolation("TRANSACTION_READ_COMMITTED");
    List<Throwable> errors = new CopyOnWriteArrayList<>();
    try (HikariDataSource rc = new HikariDataSource(hc);
        OutboxRelay relay =
            relay(rc, broker)
                .markPublished(Duration.ofDays(1))
                .listener(
                    new OutboxRelayListener() {
                      @Override
                      public void onRetriableError(String component, Throwable e) {
                        errors.add(e);
                      }
                    })
                .build();
        TopicRecorder<Event> reader = new TopicRecorder<>(broker, topic, KafkaRecords::toEvent);
        Connection c = db.dataSource().getConnection()) {
      c.setAutoCommit(true);
      relay.start();
      Gate removal = RelayHooks.pause(Point.MARKED_NOT_DELETED, 1);
      try (Connection w = db.dataSource().getConnection()) {
        w.setAutoCommit(false);
        outbox.append(w, event(topic, "X"));
        w.commit();
      }
      assertThat(removal.awaitArrivals(1, WAIT)).isTrue();
      CompletableFuture<Integer> takeover =
          CompletableFuture.supplyAsync(
              () -> {
                try (Connection t = db.dataSource().getConnection();
                    Statement st = t.createStatement()) {
                  t.setAutoCommit(true);
                  return st.executeUpdate(
                      "update keel_outbox_lease set epoch = epoch + 1 where lane = 0");
                } catch (SQLException e) {
                  throw new IllegalStateException(e);
                }
              });
      await()
          .pollInterval(Duration.ofMillis(250))
          .atMost(WAIT)
          .until(() -> takeover.isDone() || lockWaits(c) > 0);
      boolean landedInBetween = takeover.isDone();
      removal.release();
      assertThat(takeover.get(30, TimeUnit.SECONDS)).isEqualTo(1);
      await()
          .atMost(WAIT)
          .until(() -> count(c, "keel_outbox") == 0 && count(c, "keel_outbox_published") == 1);
      assertThat(landedInBetween).as("the takeover landed between copy and delete").isFalse();
      assertThat(errors).isEmpty();
      await().atMost(WAIT).until(() -> ids(reader).size() == 1);
    }
  }

  private static int lockWaits(Connection c) throws SQLException {
    try (Statement st = c.createStatement();
        ResultSet rs =
            st.executeQuery(
                "select count(*) from information_schema.innodb_trx where trx_state = 'LOCK WAIT'")) {
      rs.next();
      return rs.getInt(1);
    }
  }

  private static int count(Connection c, String table) throws SQLException {
    try (Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("select count(*) from " + table)) {
      rs.next();
      return rs.getInt(1);
    }
  }

  private static List<UUID> ids(TopicRecorder<Event> reader) {
    return reader.values().stream().map(Event::id).distinct().toList();
  }

  private static Event event(String topic, String payload) {
    return OutboxFixture.event(topic, "K", payload);
  }

  private static OutboxRelay.Builder relay(javax.sql.DataSource ds, KafkaBroker broker) {
    return OutboxRelay.builder()
        .dataSource(ds)
        .producerProperties(broker.clientProperties())
        .lanes(1)
        .workers(1)
        .pollInterval(Duration.ofMillis(50))
        .leaseDuration(Duration.ofSeconds(3))
        .backoff(Duration.ofMillis(50), Duration.ofSeconds(1))
        .closeTimeout(Duration.ofSeconds(10));
  }
}
