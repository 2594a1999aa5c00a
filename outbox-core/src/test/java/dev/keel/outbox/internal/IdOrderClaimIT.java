package dev.keel.outbox.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.keel.event.Event;
import dev.keel.event.config.KeelKafka;
import dev.keel.event.kafka.KafkaRecords;
import dev.keel.event.sql.SchemaInstaller;
import dev.keel.event.sql.SqlDialect;
import dev.keel.event.sql.TableNames;
import dev.keel.outbox.Outbox;
import dev.keel.outbox.OutboxAdmin;
import dev.keel.outbox.OutboxFixture;
import dev.keel.outbox.OutboxRelay;
import dev.keel.test.IsolatedDatabase;
import dev.keel.test.KafkaBroker;
import dev.keel.test.KeelTest;
import dev.keel.test.TopicRecorder;
import dev.keel.test.Topics;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.sql.DataSource;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.errors.NotEnoughReplicasException;
import org.junit.jupiter.api.Test;

/**
 * PostgreSQL: a worker that serves a fair share of the lanes claims them in one scan in id order
 * across the lanes ({@link LaneClaims#claimPass}). The scan is cut by its limit and by the byte
 * budget, and neither cut may let the commit-order fence pass a late row or let a lane whose rows
 * do not go hold back the others.
 */
@KeelTest
class IdOrderClaimIT {
  private static final int KIB = 1024;
  private static final Duration WAIT = Duration.ofSeconds(30);

  /**
   * Forced step by step: P takes the oldest transaction id; U appends two rows to lane B; T appends
   * one to lane A; P appends to lane A behind it, commits, and its row is published and removed; U
   * and T commit; samples show every transaction below lane A's bound ended. The next scan (limit:
   * a batch of one per lane, two rows) reads U's two rows and stops: it saw no row of lane A only
   * up to U's second row, so lane A's safe id must stay below T's row, and T's row is claimed next.
   */
  @Test
  void aScanCutByItsLimitDoesNotMoveALaneSafeIdPastALateRow(IsolatedDatabase db) throws Exception {
    DataSource ds = db.dataSource();
    SchemaInstaller.builder().dataSource(ds).build().install("outbox");
    Outbox outbox = Outbox.builder().lanes(2).build();
    String[] keys = OutboxFixture.keyPerLane(outbox, 2);
    OutboxSql sql = new OutboxSql(SqlDialect.POSTGRES, TableNames.defaults());
    XidHorizon horizon = new XidHorizon();
    LaneClaims claims = new LaneClaims(ds, sql, 1, 1024 * KIB, 2, horizon, null, "test");
    OwnedLane a = new OwnedLane(0, 1, Long.MAX_VALUE);
    OwnedLane b = new OwnedLane(1, 1, Long.MAX_VALUE);
    List<OwnedLane> lanes = List.of(a, b);
    try (Connection p = ds.getConnection();
        Connection u = ds.getConnection();
        Connection t = ds.getConnection();
        Connection c = ds.getConnection()) {
      for (Connection x : List.of(p, u, t, c)) {
        x.setAutoCommit(false);
      }
      try (Statement st = p.createStatement()) {
        st.execute("SELECT pg_current_xact_id()"); // P's transaction id is the oldest
      }
      outbox.append(u, event(keys[1], KIB));
      outbox.append(u, event(keys[1], KIB));
      outbox.append(t, event(keys[0], KIB)); // the late row of lane A
      outbox.append(p, event(keys[0], KIB));
      p.commit();

      Map<OwnedLane, List<Row>> first = claims.claimPass(List.of(), lanes, 0);
      assertThat(first).containsOnlyKeys(a);
      Row rowP = first.get(a).get(0);
      remove(c, rowP);
      a.lastId = rowP.id();
      horizon.afterBatch(a);

      u.commit();
      t.commit();
      horizon.sample(ds, sql); // started after the removal: gives the lane's bound
      horizon.sample(ds, sql); // shows every transaction below the bound ended

      Map<OwnedLane, List<Row>> cut = claims.claimPass(List.of(), lanes, 0);
      assertThat(cut).containsOnlyKeys(b);
      assertThat(cut.get(b)).hasSize(2);
      assertThat(a.safeId)
          .as("lane A's safe id after a scan that stopped before its late row")
          .isLessThan(rowP.id() - 1);
      for (Row r : cut.get(b)) {
        remove(c, r);
      }

      Map<OwnedLane, List<Row>> next = claims.claimPass(List.of(), lanes, 0);
      assertThat(next.get(a)).extracting(Row::id).containsExactly(rowP.id() - 1);
    }
  }

  /**
   * The byte budget is a running total in id order across the lanes: the pass takes each lane's
   * rows up to the first row past it, a row larger than the budget comes alone when it is the
   * pass's first, and rows claimed apart first count against the same budget.
   */
  @Test
  void theBudgetIsARunningTotalInIdOrderAcrossTheLanes(IsolatedDatabase db) throws Exception {
    DataSource ds = db.dataSource();
    SchemaInstaller.builder().dataSource(ds).build().install("outbox");
    Outbox outbox = Outbox.builder().lanes(2).maxPayloadBytes(1024 * KIB).build();
    String[] keys = OutboxFixture.keyPerLane(outbox, 2);
    long budget = 256 * KIB;
    OutboxSql sql = new OutboxSql(SqlDialect.POSTGRES, TableNames.defaults());
    LaneClaims claims = new LaneClaims(ds, sql, 500, budget, 2, new XidHorizon(), null, "test");
    OwnedLane a = new OwnedLane(0, 1, Long.MAX_VALUE);
    OwnedLane b = new OwnedLane(1, 1, Long.MAX_VALUE);
    List<Long> ids = new ArrayList<>();
    try (Connection c = ds.getConnection()) {
      c.setAutoCommit(false);
      outbox.append(c, event(keys[0], 300 * KIB)); // larger than the budget
      for (int i = 0; i < 6; i++) {
        outbox.append(c, event(keys[i % 2], 100 * KIB));
      }
      c.commit();
      try (Statement st = c.createStatement();
          var rs = st.executeQuery("SELECT id FROM keel_outbox ORDER BY id")) {
        while (rs.next()) {
          ids.add(rs.getLong(1));
        }
      }
      c.commit();
    }
    // The large row first and alone.
    Map<OwnedLane, List<Row>> alone = claims.claimPass(List.of(), List.of(a, b), 0);
    assertThat(alone).containsOnlyKeys(a);
    assertThat(alone.get(a)).extracting(Row::id).containsExactly(ids.get(0));

    // Once it is gone: 2 x 100 KiB in id order, one of each lane (a third would be 300 KiB).
    try (Connection c = ds.getConnection()) {
      c.setAutoCommit(false);
      remove(c, alone.get(a).get(0));
    }
    Map<OwnedLane, List<Row>> pass = claims.claimPass(List.of(), List.of(a, b), 0);
    assertThat(pass.get(a)).extracting(Row::id).containsExactly(ids.get(1));
    assertThat(pass.get(b)).extracting(Row::id).containsExactly(ids.get(2));

    // Lane B claimed apart comes first and takes two rows (200 KiB); the scan of lane A after it
    // has 56 KiB left, less than A's next row, and takes none.
    Map<OwnedLane, List<Row>> mixed = claims.claimPass(List.of(b), List.of(a), 0);
    assertThat(mixed).containsOnlyKeys(b);
    assertThat(mixed.get(b)).extracting(Row::id).containsExactly(ids.get(2), ids.get(4));
  }

  /**
   * A lane whose rows Kafka refuses for now (here every send to its topic fails at once with a
   * retriable error, as when a partition lacks in-sync replicas) must not hold back the other lane
   * of its worker, although its six rows come first in id order and the worker's scan reads four (a
   * batch of two for each of two lanes): after the refused pass, the lane is claimed apart. Once
   * Kafka takes its records, its rows go out in order.
   */
  @Test
  void aLaneKafkaRefusesForNowDoesNotHoldBackTheRowsBehindItInIdOrder(
      KafkaBroker broker, Topics topics, IsolatedDatabase db) throws Exception {
    String healthy = topics.create("healthy", 1);
    String refused = topics.create("refused", 1);
    SchemaInstaller.builder().dataSource(db.dataSource()).build().install("outbox");
    Outbox outbox = Outbox.builder().lanes(2).build();
    String[] keys = OutboxFixture.keyPerLane(outbox, 2);
    List<UUID> refusedIds = new ArrayList<>();
    List<UUID> healthyIds = new ArrayList<>();
    OutboxFixture.inTx(
        db.dataSource(),
        c -> {
          for (int i = 0; i < 6; i++) {
            refusedIds.add(outbox.append(c, OutboxFixture.event(refused, keys[0], "r" + i)));
          }
        });
    OutboxFixture.inTx(
        db.dataSource(),
        c -> {
          for (int i = 0; i < 3; i++) {
            healthyIds.add(outbox.append(c, OutboxFixture.event(healthy, keys[1], "h" + i)));
          }
        });
    AtomicBoolean refusing = new AtomicBoolean(true);
    OutboxAdmin admin = OutboxAdmin.create(db.dataSource(), TableNames.defaults());
    try (OutboxRelay relay =
            OutboxRelay.builder()
                .dataSource(db.dataSource())
                .kafka(KeelKafka.builder().properties(broker.clientProperties()).build())
                .lanes(2)
                .workers(1)
                .batchSize(2)
                .maxAttempts(1_000)
                .pollInterval(Duration.ofMillis(50))
                .backoff(Duration.ofMillis(50), Duration.ofMillis(200))
                .closeTimeout(Duration.ofSeconds(10))
                .build();
        TopicRecorder<Event> healthyReader =
            new TopicRecorder<>(broker, healthy, KafkaRecords::toEvent);
        TopicRecorder<Event> refusedReader =
            new TopicRecorder<>(broker, refused, KafkaRecords::toEvent)) {
      ((DefaultOutboxRelay) relay).useClients(refusing(refused, refusing));
      relay.start();
      await().atMost(WAIT).until(() -> distinct(healthyReader).size() == 3);
      assertThat(distinct(healthyReader)).containsExactlyElementsOf(healthyIds);
      assertThat(admin.pending()).as("the refused rows wait").isEqualTo(6);

      refusing.set(false);
      await().atMost(WAIT).until(() -> distinct(refusedReader).size() == 6);
      assertThat(distinct(refusedReader)).containsExactlyElementsOf(refusedIds);
      await().atMost(WAIT).until(() -> admin.pending() == 0);
    }
  }

  /** Real producers, but sends to {@code topic} fail at once while {@code refusing} holds. */
  private static RelayClients refusing(String topic, AtomicBoolean refusing) {
    return new RelayClients() {
      @Override
      public Producer<byte[], byte[]> producer(Map<String, Object> settings) {
        return new KafkaProducer<byte[], byte[]>(new HashMap<>(settings)) {
          @Override
          public Future<RecordMetadata> send(
              ProducerRecord<byte[], byte[]> record, Callback callback) {
            if (refusing.get() && record.topic().equals(topic)) {
              NotEnoughReplicasException e = new NotEnoughReplicasException("refused for now");
              if (callback != null) {
                callback.onCompletion(null, e);
              }
              return CompletableFuture.failedFuture(e);
            }
            return super.send(record, callback);
          }
        };
      }

      @Override
      public Optional<Admin> admin(Map<String, Object> settings) {
        return RelayClients.KAFKA.admin(settings);
      }
    };
  }

  private static List<UUID> distinct(TopicRecorder<Event> reader) {
    return reader.values().stream().map(Event::id).distinct().toList();
  }

  private static void remove(Connection c, Row row) throws Exception {
    try (Statement st = c.createStatement()) {
      st.execute("DELETE FROM keel_outbox WHERE id = " + row.id());
    }
    c.commit();
  }

  private static Event event(String key, int size) {
    return OutboxFixture.event("id-order", key, size);
  }
}
