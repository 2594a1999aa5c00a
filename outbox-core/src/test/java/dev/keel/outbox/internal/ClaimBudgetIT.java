package dev.keel.outbox.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.keel.event.Event;
import dev.keel.event.kafka.KafkaRecords;
import dev.keel.event.sql.SchemaInstaller;
import dev.keel.event.sql.SqlDialect;
import dev.keel.event.sql.TableNames;
import dev.keel.outbox.Outbox;
import dev.keel.outbox.OutboxFixture;
import dev.keel.outbox.OutboxRelay;
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
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

/**
 * A worker's pass claims at most {@code maxBytesPerPass} payload bytes over all its lanes, whatever
 * the lane count and batch size; a row larger than the budget comes alone; the pass starts at a
 * lane that moves, so every lane gets its turn.
 */
@KeelTest
class ClaimBudgetIT {
  private static final int KIB = 1024;
  private static final long BUDGET = 256 * KIB;

  @Test
  void postgresPassStaysWithinTheBudget(IsolatedDatabase db) throws Exception {
    check(db);
  }

  @Test
  void h2PassStaysWithinTheBudget(@WithDatabase(DatabaseKind.H2) IsolatedDatabase db)
      throws Exception {
    check(db);
  }

  @Test
  void mariaDbPassStaysWithinTheBudget(@WithDatabase(DatabaseKind.MARIADB) IsolatedDatabase db)
      throws Exception {
    check(db);
  }

  @Test
  void relayDrainsRowsLargerThanItsBudgetOneByOneInKeyOrder(
      KafkaBroker broker, Topics topics, IsolatedDatabase db) throws Exception {
    String topic = topics.create("large", 2);
    Outbox outbox = Outbox.builder().lanes(8).maxPayloadBytes(1024 * KIB).build();
    SchemaInstaller.builder().dataSource(db.dataSource()).build().install("outbox");
    Map<String, List<UUID>> byKey = new HashMap<>();
    try (Connection c = db.dataSource().getConnection()) {
      c.setAutoCommit(false);
      for (int i = 0; i < 30; i++) {
        String key = "k" + (i % 3);
        Event e =
            Event.builder()
                .type("order.placed")
                .topic(topic)
                .key(key)
                .source("test")
                .payload(new byte[(i % 2 == 0 ? 100 : 30) * KIB])
                .build();
        byKey.computeIfAbsent(key, k -> new ArrayList<>()).add(outbox.append(c, e));
      }
      c.commit();
    }
    try (OutboxRelay relay =
            OutboxRelay.builder()
                .dataSource(db.dataSource())
                .producerProperties(broker.clientProperties())
                .lanes(8)
                .maxBytesPerPass(64 * KIB)
                .pollInterval(Duration.ofMillis(200))
                .build();
        TopicRecorder<Event> reader = new TopicRecorder<>(broker, topic, KafkaRecords::toEvent)) {
      relay.start();
      await().atMost(Duration.ofSeconds(60)).until(() -> reader.values().size() >= 30);
      for (Map.Entry<String, List<UUID>> e : byKey.entrySet()) {
        List<UUID> seen =
            reader.values().stream()
                .filter(v -> v.key().filter(e.getKey()::equals).isPresent())
                .map(Event::id)
                .distinct()
                .toList();
        assertThat(seen).as("key %s", e.getKey()).containsExactlyElementsOf(e.getValue());
      }
    }
  }

  private static void check(IsolatedDatabase db) throws Exception {
    DataSource ds = db.dataSource();
    SqlDialect dialect = SqlDialect.detect(ds);
    SchemaInstaller.builder().dataSource(ds).dialect(dialect).build().install("outbox");
    Outbox outbox = Outbox.builder().lanes(8).maxPayloadBytes(1024 * KIB).build();
    String[] keys = keysOnDistinctLanes(outbox, 4);
    try (Connection c = ds.getConnection()) {
      c.setAutoCommit(false);
      outbox.append(c, event(keys[0], 300 * KIB)); // larger than the budget, first of its lane
      outbox.append(c, event(keys[0], 10 * KIB));
      for (int i = 0; i < 5; i++) {
        outbox.append(c, event(keys[1], 100 * KIB));
        outbox.append(c, event(keys[2], 100 * KIB));
        outbox.append(c, event(keys[3], 10 * KIB));
      }
      c.commit();
    }
    OutboxSql sql = new OutboxSql(dialect, TableNames.defaults());
    XidHorizon horizon = dialect == SqlDialect.POSTGRES ? new XidHorizon() : null;
    InnoDbFence fence = dialect.isMySqlFamily() ? new InnoDbFence() : null;
    LaneClaims claims = new LaneClaims(ds, sql, 500, BUDGET, 8, horizon, fence, "test");
    List<OwnedLane> lanes = new ArrayList<>();
    for (int lane = 0; lane < 8; lane++) {
      lanes.add(new OwnedLane(lane, 1, Long.MAX_VALUE));
    }
    // A pass that starts at the lane with the large row takes that row alone.
    Map<OwnedLane, List<Row>> big = claim(claims, horizon, lanes, outbox.laneOf(keys[0]));
    assertThat(big).hasSize(1);
    assertThat(big.values().iterator().next())
        .singleElement()
        .satisfies(r -> assertThat(r.payload()).hasSize(300 * KIB));

    // Every other start: within the budget, the start lane's rows first, in id order.
    for (int k = 1; k < 4; k++) {
      int start = outbox.laneOf(keys[k]);
      Map<OwnedLane, List<Row>> pass = claim(claims, horizon, lanes, start);
      long bytes = 0;
      for (List<Row> rows : pass.values()) {
        for (Row r : rows) {
          bytes += r.payload().length;
        }
        assertThat(rows).extracting(Row::id).isSorted();
      }
      assertThat(bytes).as("pass starting at lane %d", start).isLessThanOrEqualTo(BUDGET);
      OwnedLane first = lanes.get(start);
      assertThat(pass).containsKey(first);
      int expected = k == 3 ? 5 : 2; // 5 x 10 KiB, or 2 x 100 KiB (a third would be 300 KiB)
      assertThat(pass.get(first)).hasSize(expected);
    }
  }

  /**
   * A lane whose rows are all left for a later pass by the byte budget must not look empty to the
   * commit-order fence. Forced step by step: T appends to lane A and stays open, P (older
   * transaction id) appends behind it and is published; T commits; samples show every transaction
   * below the lane's bound ended; then a pass that starts at lane B spends the whole budget on B's
   * large row. That claim read T's row without taking it: the safe id must stay below it, and the
   * next pass must take it.
   */
  @Test
  void aLaneLeftOutByTheBudgetKeepsItsLateRowBehindTheFence(IsolatedDatabase db) throws Exception {
    DataSource ds = db.dataSource();
    SchemaInstaller.builder().dataSource(ds).build().install("outbox");
    Outbox outbox = Outbox.builder().lanes(2).maxPayloadBytes(1024 * KIB).build();
    String[] keys = OutboxFixture.keyPerLane(outbox, 2);
    OutboxSql sql = new OutboxSql(SqlDialect.POSTGRES, TableNames.defaults());
    XidHorizon horizon = new XidHorizon();
    long budget = 64 * KIB;
    LaneClaims claims = new LaneClaims(ds, sql, 500, budget, 2, horizon, null, "test");
    OwnedLane a = new OwnedLane(0, 1, Long.MAX_VALUE);
    OwnedLane b = new OwnedLane(1, 1, Long.MAX_VALUE);
    List<OwnedLane> lanes = List.of(a, b);
    try (Connection p = ds.getConnection();
        Connection t = ds.getConnection();
        Connection c = ds.getConnection()) {
      p.setAutoCommit(false);
      t.setAutoCommit(false);
      c.setAutoCommit(false);
      try (var st = p.createStatement()) {
        st.execute("SELECT pg_current_xact_id()"); // P's transaction id is the older one
      }
      outbox.append(t, event(keys[0], KIB)); // T: the lower row id, committed last
      outbox.append(p, event(keys[0], KIB));
      p.commit();
      outbox.append(c, event(keys[1], 70 * KIB)); // lane B: one row larger than the budget
      c.commit();

      // A pass from lane A takes P's row (T's is not visible yet); it is published and removed.
      Map<OwnedLane, List<Row>> first = claims.claimAll(lanes, 0);
      Row rowP = first.get(a).get(0);
      assertThat(first.get(a)).hasSize(1);
      try (var st = c.createStatement()) {
        st.execute("DELETE FROM keel_outbox WHERE id = " + rowP.id());
      }
      c.commit();
      a.lastId = rowP.id();
      horizon.afterBatch(a);

      t.commit();
      horizon.sample(ds, sql); // started after the removal: gives the lane's bound
      horizon.sample(ds, sql); // shows every transaction below the bound ended

      // A pass from lane B: its large row takes the whole budget, lane A gets no row.
      Map<OwnedLane, List<Row>> fromB = claims.claimAll(lanes, 1);
      assertThat(fromB).containsOnlyKeys(b);
      assertThat(a.safeId)
          .as("lane A's safe id after a claim that took none of its rows")
          .isLessThan(rowP.id() - 1);

      Map<OwnedLane, List<Row>> fromA = claims.claimAll(lanes, 0);
      assertThat(fromA.get(a)).extracting(Row::id).containsExactly(rowP.id() - 1);
    }
  }

  private static Map<OwnedLane, List<Row>> claim(
      LaneClaims claims, XidHorizon horizon, List<OwnedLane> lanes, int start) throws Exception {
    return horizon != null ? claims.claimAll(lanes, start) : claims.claimEach(lanes, start);
  }

  private static Event event(String key, int size) {
    return OutboxFixture.event("budget", key, size);
  }

  private static String[] keysOnDistinctLanes(Outbox outbox, int n) {
    String[] keys = new String[n];
    boolean[] used = new boolean[8];
    int found = 0;
    for (int i = 0; found < n; i++) {
      String key = "k" + i;
      if (!used[outbox.laneOf(key)]) {
        used[outbox.laneOf(key)] = true;
        keys[found++] = key;
      }
    }
    return keys;
  }
}
