package dev.keel.dlq.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keel.dlq.ActionResult;
import dev.keel.dlq.DeadLetter;
import dev.keel.dlq.DeadLetterPublisher;
import dev.keel.dlq.DeadLetterQuery;
import dev.keel.dlq.DeadLetterStatus;
import dev.keel.dlq.DeadLetterStore;
import dev.keel.dlq.DeadLetters;
import dev.keel.dlq.FailedRecord;
import dev.keel.dlq.ParkedRecord;
import dev.keel.dlq.kafka.KafkaFailedRecords;
import dev.keel.dlq.testing.KafkaIo;
import dev.keel.dlq.testing.ManualTime;
import dev.keel.dlq.testing.RowCountingDataSource;
import dev.keel.event.FailureClass;
import dev.keel.event.KeelConfigurationException;
import dev.keel.event.RetriableKeelException;
import dev.keel.event.sql.SchemaInstaller;
import dev.keel.event.sql.SqlDialect;
import dev.keel.retry.Failure;
import dev.keel.test.IsolatedDatabase;
import dev.keel.test.KafkaBroker;
import dev.keel.test.TestTime;
import dev.keel.test.Topics;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import javax.sql.DataSource;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterEach;

/**
 * Replay and discard of a key with a large backlog, on the real broker and each database (a small
 * subclass per database hands its {@link IsolatedDatabase} to each scenario): parked records are
 * read a page at a time, no database lock is held across a send, a replay cut off part way goes on
 * where it stopped, two replays of one key do not interleave, and a replayed record that fails
 * again stops the release without reordering the key. Races are set up at the named points of
 * {@link ReplayHooks}.
 */
abstract class ReleaseContract {
  static final String GROUP = "ledger";
  static final String KEY = "K";
  static final Duration WAIT = Duration.ofSeconds(30);

  @AfterEach
  void disarm() {
    ReplayHooks.reset();
  }

  /** A key K of group "ledger" dead-lettered ("D") with {@code n} records parked behind it. */
  static final class Backlog implements AutoCloseable {
    final String topic;
    final IsolatedDatabase db;
    final DeadLetterStore store;
    final DeadLetterPublisher publisher;
    final KafkaIo kafka;
    final ManualTime time = new ManualTime();
    final Map<String, Object> props;
    final ExecutorService threads = Executors.newCachedThreadPool();
    // positions the records had in the topic; what replays send lands at 0, 1, ... instead
    private long offset = 1_000_000;

    Backlog(KafkaBroker broker, Topics topics, IsolatedDatabase db, String name, int n) {
      this.topic = topics.create(name, 1);
      this.db = db;
      this.props = Map.copyOf(broker.clientProperties());
      this.store = DeadLetterStore.builder().dataSource(db.dataSource()).build();
      store.install();
      this.kafka = new KafkaIo(broker);
      this.publisher =
          DeadLetterPublisher.builder()
              .kafka(props)
              .store(store)
              .orderedMode(true)
              .clock(time.clock())
              .build();
      deadLetter("D");
      for (int i = 1; i <= n; i++) {
        assertThat(park("P" + i)).isTrue();
      }
    }

    /** Operator tools on {@code ds}, pacing on the manual clock. */
    DeadLetters ops(DataSource ds) {
      return DeadLetters.builder()
          .store(DeadLetterStore.builder().dataSource(ds).build())
          .kafka(props)
          .replayRate(100_000)
          .sleeper(time.sleeper())
          .clock(time.clock())
          .build();
    }

    DeadLetters ops() {
      return ops(db.dataSource());
    }

    FailedRecord record(String value) {
      return new FailedRecord(
          topic,
          0,
          offset++,
          KafkaIo.utf8(KEY),
          KafkaIo.utf8(value),
          KafkaIo.envelope(UUID.randomUUID()));
    }

    DeadLetter deadLetter(String value) {
      return deadLetter(record(value));
    }

    DeadLetter deadLetter(FailedRecord r) {
      return publisher.publish(
          r,
          Failure.once(
              GROUP, FailureClass.VALIDATION, new IllegalStateException("poison"), time.now()));
    }

    /** What the consumer does with a new record of the key: true when parked. */
    boolean park(String value) {
      return publisher.parkIfBlocked(GROUP, record(value));
    }

    DeadLetterQuery selection() {
      return DeadLetterQuery.builder().group(GROUP).topic(topic).key(KEY).build();
    }

    <T> CompletableFuture<T> async(Supplier<T> action) {
      return CompletableFuture.supplyAsync(action, threads);
    }

    /** The topic from its start: at least {@code count} records, and any more already there. */
    List<ConsumerRecord<byte[], byte[]>> read(int count) {
      return kafka.readAll(topic, count);
    }

    /** Every record parked behind the key, read a page at a time. */
    List<ParkedRecord> parked() {
      List<ParkedRecord> all = new ArrayList<>();
      List<ParkedRecord> page = store.parked(GROUP, topic, KEY, 100);
      while (!page.isEmpty()) {
        all.addAll(page);
        page = store.parked(GROUP, topic, KEY, page.get(page.size() - 1).id(), 100);
      }
      return all;
    }

    boolean blocked() {
      return store.isBlocked(GROUP, topic, KafkaIo.utf8(KEY));
    }

    /** Locks the key's block row at once or fails: NOWAIT. */
    void lockBlockRowNowait() throws SQLException {
      try (Connection c = db.dataSource().getConnection()) {
        c.setAutoCommit(false);
        try (PreparedStatement ps =
            c.prepareStatement(
                "SELECT key_hash FROM keel_dlq_blocked_key WHERE consumer_group = ? AND topic = ?"
                    + " FOR UPDATE NOWAIT")) {
          ps.setString(1, GROUP);
          ps.setString(2, topic);
          try (ResultSet rs = ps.executeQuery()) {
            assertThat(rs.next()).as("the key's block row").isTrue();
          }
        } finally {
          c.rollback();
        }
      }
    }

    @Override
    public void close() throws InterruptedException {
      ReplayHooks.reset(); // lets a held thread go before its pool is shut down
      threads.shutdown();
      assertThat(threads.awaitTermination(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
      publisher.close();
      kafka.close();
    }
  }

  static List<String> values(List<ConsumerRecord<byte[], byte[]>> records) {
    List<String> out = new ArrayList<>();
    records.forEach(r -> out.add(new String(r.value(), StandardCharsets.UTF_8)));
    return out;
  }

  static List<String> parkedValues(List<ParkedRecord> parked) {
    List<String> out = new ArrayList<>();
    parked.forEach(p -> out.add(new String(p.record().value(), StandardCharsets.UTF_8)));
    return out;
  }

  /** "D", then "P1" to "Pn", then {@code more}. */
  static List<String> inOrder(int n, String... more) {
    List<String> out = new ArrayList<>();
    out.add("D");
    for (int i = 1; i <= n; i++) {
      out.add("P" + i);
    }
    out.addAll(List.of(more));
    return out;
  }

  static ReleaseMark mark(ConsumerRecord<byte[], byte[]> r) {
    return ReleaseMark.of(KafkaFailedRecords.of(r));
  }

  /**
   * 1,000 parked records are released completely and in order, each marked with the key's release
   * token and its place, while no query on the parked table ever hands back more than a page.
   */
  void aLargeBacklogIsReleasedInOrderAPageAtATime(
      KafkaBroker broker, Topics topics, IsolatedDatabase db) throws Exception {
    int n = 1000;
    RowCountingDataSource counting = new RowCountingDataSource(db.dataSource(), "dlq_parked");
    try (Backlog b = new Backlog(broker, topics, db, "big-replay", n);
        DeadLetters ops = b.ops(counting.dataSource())) {
      List<ParkedRecord> parked = b.parked();
      ActionResult r = ops.replay(b.selection(), "alice");

      assertThat(r.records()).isEqualTo(1);
      assertThat(r.parkedRecords()).isEqualTo(n);
      assertThat(counting.maxRows()).isLessThanOrEqualTo(KeyAction.PAGE);
      assertThat(counting.queries()).isGreaterThanOrEqualTo(n / KeyAction.PAGE);
      List<ConsumerRecord<byte[], byte[]>> out = b.read(n + 1);
      assertThat(values(out)).containsExactlyElementsOf(inOrder(n));
      ReleaseMark first = mark(out.get(0));
      assertThat(first.deadLetter()).isTrue();
      assertThat(first.id()).isEqualTo(r.ids().get(0));
      for (int i = 1; i <= n; i++) {
        assertThat(mark(out.get(i)))
            .isEqualTo(new ReleaseMark(first.token(), false, parked.get(i - 1).id()));
      }
      assertThat(b.blocked()).isFalse();
      assertThat(b.parked()).isEmpty();
      assertThat(b.park("after")).as("the key flows again").isFalse();
    }
  }

  /**
   * Held after sending the last page of the backlog, the replay holds no lock: another transaction
   * locks the key's block row with NOWAIT, and the consumer parks a new record of the key. The
   * consumer processes what the release sent (its mark) and parks a record with a forged mark. Once
   * resumed, the replay finds the new records, sends them after the others, and only then is the
   * key unblocked.
   */
  void noLockIsHeldAcrossSendsAndRecordsParkedMeanwhileFollow(
      KafkaBroker broker, Topics topics, IsolatedDatabase db) throws Exception {
    int n = KeyAction.PAGE;
    try (Backlog b = new Backlog(broker, topics, db, "no-lock", n);
        DeadLetters ops = b.ops()) {
      dev.keel.event.support.PausePoints.Gate between =
          ReplayHooks.pause(ReplayHooks.Point.PAGE_RECORDED, 1);
      CompletableFuture<ActionResult> replay = b.async(() -> ops.replay(b.selection(), "alice"));
      assertThat(between.awaitArrivals(1, WAIT)).isTrue();

      b.lockBlockRowNowait();
      assertThat(b.park("N")).as("parked while the key is being released").isTrue();
      assertThat(b.blocked()).isTrue();
      List<ConsumerRecord<byte[], byte[]>> sent = b.read(1 + KeyAction.PAGE);
      assertThat(values(sent)).containsExactlyElementsOf(inOrder(KeyAction.PAGE));
      FailedRecord echo = KafkaFailedRecords.of(sent.get(0));
      assertThat(b.publisher.parkIfBlocked(GROUP, echo)).as("sent by the release").isFalse();
      List<FailedRecord.Header> forged =
          new ReleaseMark(UUID.randomUUID().toString(), true, 1)
              .on(KafkaIo.envelope(UUID.randomUUID()));
      FailedRecord f =
          new FailedRecord(b.topic, 0, 5000, KafkaIo.utf8(KEY), KafkaIo.utf8("F"), forged);
      assertThat(b.publisher.parkIfBlocked(GROUP, f)).as("a mark of another token").isTrue();

      between.release();
      ActionResult r = replay.get(WAIT.toSeconds(), TimeUnit.SECONDS);
      assertThat(r.parkedRecords()).isEqualTo(n + 2);
      assertThat(values(b.read(n + 3))).containsExactlyElementsOf(inOrder(n, "N", "F"));
      assertThat(b.blocked()).isFalse();
      assertThat(b.parked()).isEmpty();
    }
  }

  /**
   * A replay frozen after sending a page and before recording it (a crash: it holds no connection)
   * keeps the key until its lease ends; run again then, the replay goes on where it stopped:
   * everything arrives in order, the dead letter once, the page in flight twice and nothing else
   * twice. The frozen one, let go, finds its claim gone and sends nothing more.
   */
  void aReplayCutOffPartWayGoesOnWhereItStoppedWhenRunAgain(
      KafkaBroker broker, Topics topics, IsolatedDatabase db) throws Exception {
    int n = 250;
    try (Backlog b = new Backlog(broker, topics, db, "crash", n);
        DeadLetters first = b.ops();
        DeadLetters again = b.ops()) {
      dev.keel.event.support.PausePoints.Gate crash =
          ReplayHooks.pause(ReplayHooks.Point.PAGE_SENT, 1);
      CompletableFuture<ActionResult> frozen = b.async(() -> first.replay(b.selection(), "alice"));
      assertThat(crash.awaitArrivals(1, WAIT)).isTrue();

      ActionResult early = again.replay(b.selection(), "bob");
      assertThat(early.records()).as("the key is still claimed").isZero();
      assertThat(early.skipped()).isEqualTo(1);

      b.time.advance(DefaultDeadLetters.lease(Duration.ofSeconds(30), 100_000).plusSeconds(1));
      ActionResult resumed = again.replay(b.selection(), "bob");
      assertThat(resumed.records()).isEqualTo(1);
      assertThat(resumed.parkedRecords()).isEqualTo(n);
      assertThat(b.blocked()).isFalse();

      crash.release();
      assertThatThrownBy(() -> frozen.get(WAIT.toSeconds(), TimeUnit.SECONDS))
          .isInstanceOf(ExecutionException.class)
          .cause()
          .isInstanceOf(RetriableKeelException.class)
          .hasMessageContaining("nothing more was sent");

      List<String> got = values(b.read(1 + n + KeyAction.PAGE));
      assertThat(got).hasSize(1 + n + KeyAction.PAGE);
      assertThat(new ArrayList<>(new LinkedHashSet<>(got)))
          .as("first arrivals in order")
          .containsExactlyElementsOf(inOrder(n));
      List<String> twice = new ArrayList<>(got.subList(1 + KeyAction.PAGE, 1 + 2 * KeyAction.PAGE));
      assertThat(twice)
          .as("the page in flight, again")
          .isEqualTo(got.subList(1, 1 + KeyAction.PAGE));
      assertThat(got.stream().filter("D"::equals)).hasSize(1);
      assertThat(first.audit(5))
          .anySatisfy(a -> assertThat(a.outcome()).startsWith("failed after 0 dead letter(s)"));
    }
  }

  /**
   * While one replay works on a key, a second replay and a discard of the key skip it and send or
   * remove nothing; the first finishes alone and every record arrives once, in order.
   */
  void twoActionsOnOneKeyDoNotInterleave(KafkaBroker broker, Topics topics, IsolatedDatabase db)
      throws Exception {
    int n = 250;
    try (Backlog b = new Backlog(broker, topics, db, "two-replays", n);
        DeadLetters alice = b.ops();
        DeadLetters bob = b.ops()) {
      dev.keel.event.support.PausePoints.Gate between =
          ReplayHooks.pause(ReplayHooks.Point.PAGE_RECORDED, 1);
      CompletableFuture<ActionResult> first = b.async(() -> alice.replay(b.selection(), "alice"));
      assertThat(between.awaitArrivals(1, WAIT)).isTrue();

      ActionResult second = bob.replay(b.selection(), "bob");
      assertThat(second.records()).isZero();
      assertThat(second.parkedRecords()).isZero();
      assertThat(second.skipped()).isEqualTo(1);
      ActionResult discard = bob.discard(b.selection(), "bob");
      assertThat(discard.records()).isZero();
      assertThat(discard.skipped()).isEqualTo(1);
      assertThat(b.parked()).hasSize(n - KeyAction.PAGE);

      between.release();
      ActionResult r = first.get(WAIT.toSeconds(), TimeUnit.SECONDS);
      assertThat(r.records()).isEqualTo(1);
      assertThat(r.parkedRecords()).isEqualTo(n);
      assertThat(values(b.read(n + 1))).containsExactlyElementsOf(inOrder(n));
      assertThat(bob.replay(b.selection(), "bob").records()).isZero();
    }
  }

  /**
   * A discard of a key with 1,000 parked records removes them a page at a time, holding no lock
   * between pages; a record parked while it runs is removed with the rest, and the key is unblocked
   * once none is left.
   */
  void aLargeBacklogIsDiscardedAPageAtATime(KafkaBroker broker, Topics topics, IsolatedDatabase db)
      throws Exception {
    int n = 1000;
    RowCountingDataSource counting = new RowCountingDataSource(db.dataSource(), "dlq_parked");
    try (Backlog b = new Backlog(broker, topics, db, "big-discard", n);
        DeadLetters ops = b.ops(counting.dataSource())) {
      dev.keel.event.support.PausePoints.Gate between =
          ReplayHooks.pause(ReplayHooks.Point.PAGE_REMOVED, 1);
      CompletableFuture<ActionResult> discard = b.async(() -> ops.discard(b.selection(), "bob"));
      assertThat(between.awaitArrivals(1, WAIT)).isTrue();
      b.lockBlockRowNowait();
      assertThat(b.park("N")).isTrue();
      assertThat(b.parked()).hasSize(n - KeyAction.PAGE + 1);
      between.release();

      ActionResult r = discard.get(WAIT.toSeconds(), TimeUnit.SECONDS);
      assertThat(r.records()).isEqualTo(1);
      assertThat(r.parkedRecords()).isEqualTo(n + 1);
      assertThat(counting.maxRows()).isLessThanOrEqualTo(KeyAction.PAGE);
      assertThat(b.parked()).isEmpty();
      assertThat(b.blocked()).isFalse();
      assertThat(b.store.get(r.ids().get(0)).orElseThrow().status())
          .isEqualTo(DeadLetterStatus.DISCARDED);
      assertThat(ops.audit(1).get(0).parkedRecords()).isEqualTo(n + 1);
    }
  }

  /**
   * A replayed dead letter fails again while its key is being released: the release stops, the
   * records it had sent are parked again in their places (the second dead letter's record ahead of
   * the parked ones), the records parked meanwhile stay behind them, and replaying the new dead
   * letter releases the key in the original order.
   */
  void aReplayedRecordThatFailsAgainStopsTheReleaseAndKeepsTheOrder(
      KafkaBroker broker, Topics topics, IsolatedDatabase db) throws Exception {
    int n = 250;
    try (Backlog b = new Backlog(broker, topics, db, "fails-again", n);
        DeadLetters ops = b.ops()) {
      // a second dead letter of the key ("E", from a retry tier say) is replayed with the first
      DeadLetter e = b.deadLetter("E");
      dev.keel.event.support.PausePoints.Gate between =
          ReplayHooks.pause(ReplayHooks.Point.PAGE_RECORDED, 1);
      CompletableFuture<ActionResult> replay = b.async(() -> ops.replay(b.selection(), "alice"));
      assertThat(between.awaitArrivals(1, WAIT)).isTrue();
      assertThat(b.park("N")).isTrue();

      // the consumer reads what was sent: "D" fails again, everything after it is held again
      List<ConsumerRecord<byte[], byte[]>> sent = b.read(2 + KeyAction.PAGE);
      assertThat(values(sent).subList(0, 2)).containsExactly("D", "E");
      b.deadLetter(KafkaFailedRecords.of(sent.get(0)));
      for (ConsumerRecord<byte[], byte[]> r : sent.subList(1, sent.size())) {
        assertThat(b.publisher.parkIfBlocked(GROUP, KafkaFailedRecords.of(r))).isTrue();
      }
      between.release();
      ActionResult stopped = replay.get(WAIT.toSeconds(), TimeUnit.SECONDS);
      assertThat(stopped.records()).as("both were sent").isEqualTo(2);
      assertThat(stopped.parkedRecords()).isEqualTo(KeyAction.PAGE);
      assertThat(b.blocked()).isTrue();

      List<ParkedRecord> held = b.parked();
      List<String> expected = new ArrayList<>(inOrder(n, "N"));
      expected.set(0, "E");
      assertThat(parkedValues(held)).containsExactlyElementsOf(expected);
      assertThat(held.get(0).id()).as("ahead of every parked id").isNegative();
      assertThat(b.store.get(e.id()).orElseThrow().status()).isEqualTo(DeadLetterStatus.REPLAYED);
      List<DeadLetter> dead =
          b.store.find(b.selection().toBuilder().status(DeadLetterStatus.DEAD).build());
      assertThat(dead)
          .extracting(d -> new String(d.payload(), StandardCharsets.UTF_8))
          .containsExactly("D");

      ActionResult again = ops.replay(b.selection(), "alice");
      assertThat(again.records()).isEqualTo(1);
      assertThat(again.parkedRecords()).isEqualTo(n + 2);
      assertThat(b.blocked()).isFalse();
      List<ConsumerRecord<byte[], byte[]>> all = b.read(2 + KeyAction.PAGE + 1 + n + 2);
      List<String> tail = values(all).subList(2 + KeyAction.PAGE, all.size());
      List<String> original = new ArrayList<>(inOrder(n, "N"));
      original.add(1, "E");
      assertThat(tail).containsExactlyElementsOf(original);
      assertThat(mark(all.get(all.size() - 1)).token())
          .as("a new release")
          .isNotEqualTo(mark(all.get(0)).token());
    }
  }

  /** The parked records of a key, a page at a time, and the bounds of a page. */
  void parkedRecordsAreReadAPageAtATime(KafkaBroker broker, Topics topics, IsolatedDatabase db)
      throws Exception {
    int n = 250;
    try (Backlog b = new Backlog(broker, topics, db, "paged", n);
        DeadLetters ops = b.ops()) {
      List<ParkedRecord> first = ops.parked(GROUP, b.topic, KEY, 100);
      List<ParkedRecord> second = ops.parked(GROUP, b.topic, KEY, first.get(99).id(), 100);
      List<ParkedRecord> third = ops.parked(GROUP, b.topic, KEY, second.get(99).id(), 100);
      assertThat(first).hasSize(100);
      assertThat(second).hasSize(100);
      assertThat(third).hasSize(50);
      List<ParkedRecord> all = new ArrayList<>(first);
      all.addAll(second);
      all.addAll(third);
      assertThat(parkedValues(all)).containsExactlyElementsOf(inOrder(n).subList(1, n + 1));
      assertThat(ops.parked(GROUP, b.topic, KEY, third.get(49).id(), 100)).isEmpty();
      assertThat(ops.parked(GROUP, b.topic, "other", 100)).isEmpty();
      for (int limit : new int[] {0, -1, DeadLetterQuery.MAX_LIMIT + 1}) {
        assertThatThrownBy(() -> ops.parked(GROUP, b.topic, KEY, limit))
            .isInstanceOf(KeelConfigurationException.class)
            .hasMessageContaining("limit must be between 1 and 10000, was " + limit);
      }
      @SuppressWarnings("deprecation")
      List<ParkedRecord> unpaged = ops.parked(GROUP, b.topic, KEY);
      assertThat(unpaged).isEqualTo(all);
    }
  }

  /**
   * An installation from before the claims (scripts V1 and V2) with a blocked key, a dead letter
   * and a parked record upgrades in place, and its key is then parked behind and released as any
   * other.
   */
  void anInstallationFromBeforeTheClaimsUpgradesInPlace(
      KafkaBroker broker, Topics topics, IsolatedDatabase db) throws Exception {
    String topic = topics.create("upgrade", 1);
    ClassLoader beforeClaims =
        new ClassLoader(ReleaseContract.class.getClassLoader()) {
          @Override
          public InputStream getResourceAsStream(String name) {
            if (name.endsWith("/dlq/index")) {
              return new ByteArrayInputStream(
                  "V1__dead_letters.sql\nV2__variants_and_audit_outcome.sql\n"
                      .getBytes(StandardCharsets.UTF_8));
            }
            return super.getResourceAsStream(name);
          }
        };
    SchemaInstaller old =
        SchemaInstaller.builder().dataSource(db.dataSource()).classLoader(beforeClaims).build();
    old.install("dlq");
    assertThat(old.installedVersion("dlq")).isEqualTo(2);
    SqlDialect dialect = old.dialect();
    Timestamp at = Timestamp.from(TestTime.start());
    byte[] key = KafkaIo.utf8(KEY);
    try (Connection c = db.dataSource().getConnection()) {
      long id;
      try (PreparedStatement ps =
          c.prepareStatement(
              "INSERT INTO "
                  + table(dialect, "dead_letter")
                  + " (consumer_group, topic, kafka_partition, kafka_offset, record_key, key_hash,"
                  + " key_text, reason, attempts, first_failure, last_failure, created_at,"
                  + " headers, payload, status) VALUES (?, ?, 0, 0, ?, ?, ?, 'VALIDATION', 1, ?,"
                  + " ?, ?, '[]', ?, 'DEAD')",
              new String[] {"id"})) {
        ps.setString(1, GROUP);
        ps.setString(2, topic);
        ps.setBytes(3, key);
        ps.setString(4, KeyHash.of(key));
        ps.setString(5, KEY);
        ps.setTimestamp(6, at);
        ps.setTimestamp(7, at);
        ps.setTimestamp(8, at);
        ps.setBytes(9, KafkaIo.utf8("D"));
        ps.executeUpdate();
        try (ResultSet keys = ps.getGeneratedKeys()) {
          keys.next();
          id = keys.getLong(1);
        }
      }
      try (PreparedStatement ps =
          c.prepareStatement(
              "INSERT INTO "
                  + table(dialect, "dlq_blocked_key")
                  + " (consumer_group, topic, key_hash, record_key, dead_letter_id, blocked_at)"
                  + " VALUES (?, ?, ?, ?, ?, ?)")) {
        ps.setString(1, GROUP);
        ps.setString(2, topic);
        ps.setString(3, KeyHash.of(key));
        ps.setBytes(4, key);
        ps.setLong(5, id);
        ps.setTimestamp(6, at);
        ps.executeUpdate();
      }
      try (PreparedStatement ps =
          c.prepareStatement(
              "INSERT INTO "
                  + table(dialect, "dlq_parked")
                  + " (consumer_group, topic, key_hash, kafka_partition, kafka_offset, record_key,"
                  + " headers, payload, parked_at) VALUES (?, ?, ?, 0, 1, ?, '[]', ?, ?)")) {
        ps.setString(1, GROUP);
        ps.setString(2, topic);
        ps.setString(3, KeyHash.of(key));
        ps.setBytes(4, key);
        ps.setBytes(5, KafkaIo.utf8("P1"));
        ps.setTimestamp(6, at);
        ps.executeUpdate();
      }
      if (!c.getAutoCommit()) {
        c.commit();
      }
    }

    DeadLetterStore store = DeadLetterStore.builder().dataSource(db.dataSource()).build();
    store.install();
    assertThat(old.installedVersion("dlq")).isEqualTo(4);
    Map<String, Object> props = Map.copyOf(broker.clientProperties());
    try (KafkaIo kafka = new KafkaIo(broker);
        DeadLetterPublisher publisher =
            DeadLetterPublisher.builder().kafka(props).store(store).orderedMode(true).build();
        DeadLetters ops =
            DeadLetters.builder().store(store).kafka(props).replayRate(100_000).build()) {
      FailedRecord later =
          new FailedRecord(
              topic, 0, 2, key, KafkaIo.utf8("N"), KafkaIo.envelope(UUID.randomUUID()));
      assertThat(publisher.parkIfBlocked(GROUP, later)).isTrue();
      ActionResult r =
          ops.replay(DeadLetterQuery.builder().group(GROUP).topic(topic).key(KEY).build(), "ops");
      assertThat(r.records()).isEqualTo(1);
      assertThat(r.parkedRecords()).isEqualTo(2);
      assertThat(values(kafka.readAll(topic, 3))).containsExactly("D", "P1", "N");
      assertThat(store.isBlocked(GROUP, topic, key)).isFalse();
    }
  }

  private static String table(SqlDialect dialect, String name) {
    return dialect.isMySqlFamily() ? "`keel_" + name + "`" : "\"keel_" + name + "\"";
  }
}
