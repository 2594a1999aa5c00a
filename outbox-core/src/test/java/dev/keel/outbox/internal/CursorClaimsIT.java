package dev.keel.outbox.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.keel.event.Event;
import dev.keel.event.KeelConfigurationException;
import dev.keel.event.kafka.KafkaRecords;
import dev.keel.event.sql.SchemaInstaller;
import dev.keel.event.sql.TableNames;
import dev.keel.event.support.PausePoints.Gate;
import dev.keel.outbox.Outbox;
import dev.keel.outbox.OutboxAdmin;
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
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Cursor claims against the real broker and PostgreSQL: every row published in its key's order by
 * two relays, rows of an open transaction's id range held back, a takeover going on from the
 * persisted cursor, published rows cleaned up, and the configurations that cannot hold refused.
 */
@KeelTest
class CursorClaimsIT {
  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final int LANES = 16;

  @AfterEach
  void disarm() {
    RelayHooks.reset();
  }

  /**
   * Two relays with two workers each publish 4,000 events of 64 keys appended by concurrent
   * transactions while they run: each event reaches the topic, each key's events in append order,
   * and the outbox ends empty.
   */
  @Test
  void twoRelaysPublishEveryRowInKeyOrderAndCleanUp(
      KafkaBroker broker, Topics topics, IsolatedDatabase db) throws Exception {
    String topic = topics.create("cursor", 6);
    Outbox outbox = Outbox.builder().lanes(LANES).build();
    int keys = 64;
    int perKey = 62;
    try (OutboxRelay a = relay(db, broker, "a").build();
        OutboxRelay b = relay(db, broker, "b").build();
        TopicRecorder<Event> reader = new TopicRecorder<>(broker, topic, KafkaRecords::toEvent)) {
      a.start();
      b.start();
      List<Thread> appenders = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        int first = t * (keys / 4);
        Thread appender =
            new Thread(
                () -> {
                  try {
                    for (int seq = 0; seq < perKey; seq++) {
                      int s = seq;
                      OutboxFixture.inTx(
                          db.dataSource(),
                          c -> {
                            for (int k = first; k < first + keys / 4; k++) {
                              outbox.append(c, OutboxFixture.event(topic, "key-" + k, "" + s));
                            }
                          });
                    }
                  } catch (Exception e) {
                    throw new IllegalStateException(e);
                  }
                });
        appender.start();
        appenders.add(appender);
      }
      for (Thread t : appenders) {
        t.join();
      }
      int total = keys * perKey;
      try {
        await()
            .atMost(WAIT)
            .until(() -> reader.values().stream().map(Event::id).distinct().count() == total);
      } catch (org.awaitility.core.ConditionTimeoutException e) {
        // what an investigation needs: where each lane's cursor stands and what is left
        e.addSuppressed(
            new AssertionError(
                "published "
                    + reader.values().stream().map(Event::id).distinct().count()
                    + " of "
                    + total
                    + "; rows in the outbox "
                    + count(db.dataSource(), "keel_outbox")
                    + ", above their cursor "
                    + aboveCursors(db.dataSource())
                    + "; lane:owner:cursor "
                    + text(
                        db.dataSource(),
                        "select string_agg(lane || ':' || coalesce(owner, '-') || ':'"
                            + " || published_to, ' ' order by lane) from keel_outbox_lease")));
        throw e;
      }
      Map<String, List<Integer>> byKey = new HashMap<>();
      for (Event e : reader.values()) {
        byKey
            .computeIfAbsent(e.key().orElseThrow(), k -> new ArrayList<>())
            .add(Integer.parseInt(new String(e.payload(), StandardCharsets.UTF_8)));
      }
      assertThat(byKey).hasSize(keys);
      for (List<Integer> seqs : byKey.values()) {
        // at least once: a handed-over lane may repeat a tail, never reorder the first deliveries
        assertThat(new ArrayList<>(new LinkedHashSet<>(seqs))).isSorted().hasSize(perKey);
      }
      await().atMost(WAIT).until(() -> count(db.dataSource(), "keel_outbox") == 0);
      assertThat(count(db.dataSource(), "keel_outbox_lease where published_to > 0")).isPositive();
    }
  }

  /**
   * A backlog in one lane: while Kafka acknowledges a pass, the worker reads the next one, and the
   * next pass takes those rows instead of claiming. Every row goes once, each key in order.
   */
  @Test
  void passesTakeTheRowsReadAheadAndPublishEachRowOnceInOrder(
      KafkaBroker broker, Topics topics, IsolatedDatabase db) throws Exception {
    String topic = topics.create("ahead", 3);
    Outbox outbox = Outbox.builder().lanes(1).build();
    int rows = 2_000;
    Gate taken = RelayHooks.count(Point.READ_AHEAD_TAKEN);
    try (OutboxRelay relay = relay(db, broker, "ahead").lanes(1).workers(1).build();
        TopicRecorder<Event> reader = new TopicRecorder<>(broker, topic, KafkaRecords::toEvent)) {
      relay.start();
      append(db.dataSource(), outbox, topic, "a", rows); // one transaction: a backlog at once
      await().atMost(WAIT).until(() -> reader.values().size() >= rows);
      assertThat(reader.values()).extracting(Event::id).doesNotHaveDuplicates().hasSize(rows);
      assertKeysInOrder(reader.values(), rows / 40);
      // 20 passes of 100 rows: every one after the first can take what the one before read ahead
      assertThat(taken.passed()).isGreaterThanOrEqualTo(5);
    }
  }

  /**
   * A strictly ordered lane sends one row per key per pass and holds the rest back: its cursor
   * stops below the first held row. The rows read ahead from where the pass reached must not be
   * taken then (they lie beyond the held rows); every row goes, each key in order.
   */
  @Test
  void rowsHeldBackByAPassAreNotSkippedByItsReadAhead(
      KafkaBroker broker, Topics topics, IsolatedDatabase db) throws Exception {
    String topic = topics.create("strict-ahead", 3);
    Outbox outbox = Outbox.builder().lanes(1).build();
    int rows = 240; // keys key-0 .. key-39, six rows each, interleaved
    try (OutboxRelay relay =
            relay(db, broker, "strict").lanes(1).workers(1).strictOrdering(true).build();
        TopicRecorder<Event> reader = new TopicRecorder<>(broker, topic, KafkaRecords::toEvent)) {
      relay.start();
      append(db.dataSource(), outbox, topic, "s", rows);
      await()
          .atMost(WAIT)
          .until(() -> reader.values().stream().map(Event::id).distinct().count() == rows);
      assertThat(reader.values()).extracting(Event::id).doesNotHaveDuplicates();
      assertKeysInOrder(reader.values(), rows / 40);
    }
  }

  /** Each key's payloads ({@code tag-i}, as {@link #append} writes them) in append order. */
  private static void assertKeysInOrder(List<Event> events, int perKey) {
    Map<String, List<Integer>> byKey = new HashMap<>();
    for (Event e : events) {
      String payload = new String(e.payload(), StandardCharsets.UTF_8);
      byKey
          .computeIfAbsent(e.key().orElseThrow(), k -> new ArrayList<>())
          .add(Integer.parseInt(payload.substring(payload.indexOf('-') + 1)));
    }
    assertThat(byKey).hasSize(40);
    for (List<Integer> seqs : byKey.values()) {
      assertThat(seqs).isSorted().hasSize(perKey);
    }
  }

  /**
   * T appends key K and stays open; P appends K after it and commits. P's row is above T's id, so
   * the fence stays below T's row and P waits, in every lane; when T commits both go, T first.
   */
  @Test
  void rowsAboveAnOpenTransactionsIdWaitForIt(
      KafkaBroker broker, Topics topics, IsolatedDatabase db) throws Exception {
    String topic = topics.create("held", 1);
    Outbox outbox = Outbox.builder().lanes(LANES).build();
    try (OutboxRelay relay = relay(db, broker, "r").build();
        TopicRecorder<Event> reader = new TopicRecorder<>(broker, topic, KafkaRecords::toEvent);
        Connection t = db.dataSource().getConnection();
        Connection p = db.dataSource().getConnection()) {
      relay.start();
      t.setAutoCommit(false);
      p.setAutoCommit(false);
      UUID idT = outbox.append(t, OutboxFixture.event(topic, "K", "T"));
      UUID idP = outbox.append(p, OutboxFixture.event(topic, "K", "P"));
      UUID other = outbox.append(p, OutboxFixture.event(topic, "other-key", "O"));
      p.commit();
      Gate samples = RelayHooks.count(Point.FENCE_ID_READ);
      Gate claims = RelayHooks.count(Point.CLAIM_DONE);
      assertThat(samples.awaitArrivals(5, WAIT)).isTrue();
      assertThat(claims.awaitArrivals(3, WAIT)).isTrue();
      assertThat(reader.values()).isEmpty();
      t.commit();
      await().atMost(WAIT).until(() -> reader.values().size() >= 3);
      List<UUID> ids = reader.values().stream().map(Event::id).toList();
      assertThat(ids).containsExactlyInAnyOrder(idT, idP, other);
      assertThat(ids.indexOf(idT)).isLessThan(ids.indexOf(idP));
    }
  }

  /**
   * P commits; T then appends and stays open, the youngest transaction, and no transaction that
   * started after it has ended: a snapshot's xmax does not cover T then (it is one past the latest
   * ended transaction), so a fence bounded by it would move past T's row while T is open and lose
   * it. The worker is held while the fence is sampled twice with T open; T's row must still go.
   */
  @Test
  void youngestOpenTransactionsRowIsNotPassed(
      KafkaBroker broker, Topics topics, IsolatedDatabase db) throws Exception {
    String topic = topics.create("youngest", 1);
    Outbox outbox = Outbox.builder().lanes(1).build();
    try (OutboxRelay relay =
            relay(db, broker, "y")
                .lanes(1)
                .workers(1)
                .leaseDuration(Duration.ofSeconds(30))
                .build();
        TopicRecorder<Event> reader = new TopicRecorder<>(broker, topic, KafkaRecords::toEvent);
        Connection t = db.dataSource().getConnection()) {
      relay.start();
      UUID[] idP = new UUID[1];
      OutboxFixture.inTx(
          db.dataSource(), c -> idP[0] = outbox.append(c, OutboxFixture.event(topic, "K", "P")));
      await().atMost(WAIT).until(() -> reader.values().size() == 1);
      Gate worker = RelayHooks.pause(Point.CLAIM_STARTED, 1);
      assertThat(worker.awaitArrivals(1, WAIT)).isTrue();
      t.setAutoCommit(false);
      UUID idT = outbox.append(t, OutboxFixture.event(topic, "K", "T"));
      Gate samples = RelayHooks.count(Point.FENCE_ID_READ);
      assertThat(samples.awaitArrivals(3, WAIT)).isTrue();
      worker.release();
      Gate claims = RelayHooks.count(Point.CLAIM_DONE);
      assertThat(claims.awaitArrivals(2, WAIT)).isTrue();
      t.commit();
      await().atMost(WAIT).until(() -> reader.values().size() >= 2);
      assertThat(reader.values()).extracting(Event::id).containsExactly(idP[0], idT);
    }
  }

  /**
   * Once the fence has caught up with the last append, a sample stops after reading the sequence:
   * an idle relay spends no transaction ids (each sample that goes on assigns one). A new append
   * makes the samples go on again until its row is published.
   */
  @Test
  void anIdleRelaySpendsNoTransactionIds(KafkaBroker broker, Topics topics, IsolatedDatabase db)
      throws Exception {
    String topic = topics.create("idle", 1);
    Outbox outbox = Outbox.builder().lanes(LANES).build();
    try (OutboxRelay relay = relay(db, broker, "idle").build();
        TopicRecorder<Event> reader = new TopicRecorder<>(broker, topic, KafkaRecords::toEvent)) {
      relay.start();
      append(db.dataSource(), outbox, topic, "a", 10);
      await().atMost(WAIT).until(() -> reader.values().size() == 10);
      Gate started = RelayHooks.count(Point.FENCE_SAMPLE_STARTED);
      Gate goneOn = RelayHooks.count(Point.FENCE_ID_READ);
      assertThat(started.awaitArrivals(4, WAIT)).isTrue();
      assertThat(goneOn.passed()).isZero();
      append(db.dataSource(), outbox, topic, "b", 1);
      assertThat(goneOn.awaitArrivals(1, WAIT)).isTrue();
      await().atMost(WAIT).until(() -> reader.values().size() == 11);
    }
  }

  /**
   * A relay publishes and crashes before its cleanup ran: the rows stay in the outbox behind the
   * persisted cursor. The relay that takes the lanes over publishes only what came after it.
   */
  @Test
  void takeoverGoesOnFromThePersistedCursor(KafkaBroker broker, Topics topics, IsolatedDatabase db)
      throws Exception {
    String topic = topics.create("takeover", 3);
    Outbox outbox = Outbox.builder().lanes(LANES).build();
    try (TopicRecorder<Event> reader = new TopicRecorder<>(broker, topic, KafkaRecords::toEvent)) {
      SchemaInstaller.builder().dataSource(db.dataSource()).build().install("outbox");
      append(db.dataSource(), outbox, topic, "first", 300);
      Gate cleanup = RelayHooks.pause(Point.CLEANUP_STARTED, 1);
      io.micrometer.core.instrument.simple.SimpleMeterRegistry meters =
          new io.micrometer.core.instrument.simple.SimpleMeterRegistry();
      DefaultOutboxRelay first =
          (DefaultOutboxRelay) relay(db, broker, "first").meterRegistry(meters).build();
      first.start();
      await().atMost(WAIT).until(() -> reader.values().size() >= 300);
      await().atMost(WAIT).until(() -> aboveCursors(db.dataSource()) == 0);
      assertThat(cleanup.awaitArrivals(1, WAIT)).isTrue();
      // the pending gauge leaves out the published rows the cleanup has not deleted yet
      await()
          .atMost(WAIT)
          .until(() -> meters.get(dev.keel.event.KeelMeters.OUTBOX_PENDING).gauge().value() == 0);
      assertThat(count(db.dataSource(), "keel_outbox")).isEqualTo(300);
      first.simulateCrash();
      cleanup.release();
      assertThat(count(db.dataSource(), "keel_outbox")).isEqualTo(300); // nothing cleaned up
      append(db.dataSource(), outbox, topic, "second", 200);
      try (OutboxRelay second = relay(db, broker, "second").build()) {
        second.start();
        await().atMost(WAIT).until(() -> reader.values().size() >= 500);
        await().atMost(WAIT).until(() -> count(db.dataSource(), "keel_outbox") == 0);
      }
      List<Event> all = reader.values();
      assertThat(all).hasSize(500);
      assertThat(all.stream().map(Event::id).distinct()).hasSize(500);
    }
  }

  /**
   * A row Kafka refuses is copied to the quarantine and stays in the outbox behind the cursor until
   * the cleanup; the operator's retry in that window removes it and appends the event again.
   */
  @Test
  void quarantinedRowIsRequeuedBeforeTheCleanup(
      KafkaBroker broker, Topics topics, IsolatedDatabase db) throws Exception {
    String topic = topics.create("requeue", 1);
    Outbox outbox = Outbox.builder().lanes(LANES).maxPayloadBytes(1024 * 1024).build();
    Gate cleanup = RelayHooks.pause(Point.CLEANUP_STARTED, 1);
    try (OutboxRelay relay =
            relay(db, broker, "q")
                .producerProperties(
                    Map.of(
                        "bootstrap.servers", broker.bootstrapServers(), "max.request.size", 10_000))
                .build();
        TopicRecorder<Event> reader = new TopicRecorder<>(broker, topic, KafkaRecords::toEvent)) {
      relay.start();
      UUID[] ids = new UUID[2];
      OutboxFixture.inTx(
          db.dataSource(),
          c -> {
            ids[0] = outbox.append(c, OutboxFixture.event(topic, "K", 20_000));
            ids[1] = outbox.append(c, OutboxFixture.event(topic, "K", "small"));
          });
      await().atMost(WAIT).until(() -> reader.values().size() == 1);
      assertThat(reader.values()).extracting(Event::id).containsExactly(ids[1]);
      assertThat(cleanup.awaitArrivals(1, WAIT)).isTrue();
      OutboxAdmin admin = OutboxAdmin.create(db.dataSource(), TableNames.defaults());
      await().atMost(WAIT).until(() -> admin.quarantined(10).size() == 1);
      assertThat(count(db.dataSource(), "keel_outbox")).isEqualTo(2); // both behind the cursor
      assertThat(admin.retry(ids[0], "ops")).isTrue();
      assertThat(
              query(
                  db.dataSource(),
                  "select count(*) from keel_outbox where event_id = '" + ids[0] + "'"))
          .isEqualTo(1);
      cleanup.release();
      // the requeued row is above the cursor: it is claimed again and quarantined again
      await().atMost(WAIT).until(() -> admin.quarantined(10).size() == 1);
      await().atMost(WAIT).until(() -> count(db.dataSource(), "keel_outbox") == 0);
    }
  }

  /** With markPublished the cleanup moves the rows behind the cursors to the published table. */
  @Test
  void markPublishedMovesTheRowsBehindTheCursors(
      KafkaBroker broker, Topics topics, IsolatedDatabase db) throws Exception {
    String topic = topics.create("mark", 3);
    Outbox outbox = Outbox.builder().lanes(LANES).build();
    SchemaInstaller.builder().dataSource(db.dataSource()).build().install("outbox");
    append(db.dataSource(), outbox, topic, "m", 400);
    try (OutboxRelay relay = relay(db, broker, "mark").markPublished(Duration.ofDays(1)).build();
        TopicRecorder<Event> reader = new TopicRecorder<>(broker, topic, KafkaRecords::toEvent)) {
      relay.start();
      await().atMost(WAIT).until(() -> reader.values().size() >= 400);
      await().atMost(WAIT).until(() -> count(db.dataSource(), "keel_outbox") == 0);
      assertThat(count(db.dataSource(), "keel_outbox_published")).isEqualTo(400);
      assertThat(reader.values().stream().map(Event::id).distinct()).hasSize(400);
    }
  }

  /** The sequence must hand out one id at a time, else the fence cannot be computed. */
  @Test
  void cachedSequenceIsRefused(KafkaBroker broker, IsolatedDatabase db) throws Exception {
    SchemaInstaller.builder().dataSource(db.dataSource()).build().install("outbox");
    try (Connection c = db.dataSource().getConnection();
        Statement st = c.createStatement()) {
      st.execute("alter sequence keel_outbox_id_seq cache 20");
    }
    try (OutboxRelay relay = relay(db, broker, "cached").build()) {
      assertThatThrownBy(relay::start)
          .isInstanceOf(KeelConfigurationException.class)
          .hasMessageContaining("CACHE 1")
          .hasMessageContaining("has 20");
    }
  }

  /** Without a privilege on the sequence its last value reads as NULL: refused, not stalled. */
  @Test
  void sequenceTheRelayCannotReadIsRefused(KafkaBroker broker, IsolatedDatabase db)
      throws Exception {
    SchemaInstaller.builder().dataSource(db.dataSource()).build().install("outbox");
    String role = "keel_noseq_" + UUID.randomUUID().toString().substring(0, 8);
    try (Connection c = db.dataSource().getConnection();
        Statement st = c.createStatement()) {
      st.execute("create role " + role + " login password 'pw'");
      st.execute("grant usage on schema " + db.name() + " to " + role);
      st.execute(
          "grant select, insert, update, delete on all tables in schema "
              + db.name()
              + " to "
              + role);
    }
    try (OutboxRelay relay =
        OutboxRelay.builder()
            .jdbcUrl(db.jdbcUrl(), role, "pw")
            .producerProperties(broker.clientProperties())
            .lanes(LANES)
            .schemaPolicy(dev.keel.event.config.SchemaPolicy.NONE)
            .cursorClaims(true)
            .build()) {
      assertThatThrownBy(relay::start)
          .isInstanceOf(KeelConfigurationException.class)
          .hasMessageContaining("SELECT or USAGE on the outbox's id sequence");
    } finally {
      try (Connection c = db.dataSource().getConnection();
          Statement st = c.createStatement()) {
        st.execute("drop owned by " + role);
        st.execute("drop role " + role);
      }
    }
  }

  @Test
  void mariaDbIsRefused(KafkaBroker broker, @WithDatabase(DatabaseKind.MARIADB) IsolatedDatabase db)
      throws Exception {
    try (OutboxRelay relay = relay(db, broker, "maria").build()) {
      assertThatThrownBy(relay::start)
          .isInstanceOf(KeelConfigurationException.class)
          .hasMessageContaining("cursorClaims needs PostgreSQL");
    }
  }

  private static OutboxRelay.Builder relay(IsolatedDatabase db, KafkaBroker broker, String id) {
    return OutboxRelay.builder()
        .dataSource(db.dataSource())
        .producerProperties(broker.clientProperties())
        .lanes(LANES)
        .workers(2)
        .batchSize(100)
        .instanceId(id)
        .cursorClaims(true)
        .pollInterval(Duration.ofMillis(100))
        .leaseDuration(Duration.ofSeconds(2))
        .backoff(Duration.ofMillis(50), Duration.ofSeconds(1))
        .closeTimeout(Duration.ofSeconds(10));
  }

  private static void append(DataSource ds, Outbox outbox, String topic, String tag, int n)
      throws Exception {
    OutboxFixture.inTx(
        ds,
        c -> {
          for (int i = 0; i < n; i++) {
            outbox.append(c, OutboxFixture.event(topic, "key-" + (i % 40), tag + "-" + i));
          }
        });
  }

  /** Rows not yet behind their lane's persisted cursor. */
  private static long aboveCursors(DataSource ds) throws Exception {
    return query(
        ds,
        "select count(*) from keel_outbox o join keel_outbox_lease l on l.lane = o.lane"
            + " where o.id > l.published_to");
  }

  private static long count(DataSource ds, String tableAndWhere) throws Exception {
    return query(ds, "select count(*) from " + tableAndWhere);
  }

  static String text(DataSource ds, String sql) throws Exception {
    return single(ds, sql, rs -> rs.getString(1));
  }

  static long query(DataSource ds, String sql) throws Exception {
    return single(ds, sql, rs -> rs.getLong(1));
  }

  private interface Column<T> {
    T read(ResultSet rs) throws java.sql.SQLException;
  }

  private static <T> T single(DataSource ds, String sql, Column<T> column) throws Exception {
    try (Connection c = ds.getConnection();
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery(sql)) {
      rs.next();
      return column.read(rs);
    }
  }
}
