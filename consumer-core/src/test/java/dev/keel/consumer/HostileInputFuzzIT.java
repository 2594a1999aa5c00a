package dev.keel.consumer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.consumer.Fixture.Item;
import dev.keel.consumer.HostileRecords.Generated;
import dev.keel.consumer.HostileRecords.Mode;
import dev.keel.dlq.DeadLetter;
import dev.keel.dlq.DeadLetterQuery;
import dev.keel.dlq.DeadLetterStore;
import dev.keel.event.FailureClass;
import dev.keel.event.NonRetriableKeelException;
import dev.keel.event.RetriableKeelException;
import dev.keel.retry.RetryPolicy;
import dev.keel.test.DatabaseKind;
import dev.keel.test.IsolatedDatabase;
import dev.keel.test.KafkaBroker;
import dev.keel.test.KeelTest;
import dev.keel.test.Topics;
import dev.keel.test.WithDatabase;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/**
 * Issue 15 item 2, fuzzed: seeded random hostile records (U+0000 and control characters in keys,
 * header names, header values and payloads, invalid UTF-8, empty and oversized values, duplicated
 * and forged headers, broken envelopes) next to valid events, with handlers that succeed, fail for
 * good, fail once, always fail transiently or write U+0000 into a text column. Every record must
 * end handled, dead-lettered or parked, exactly once, within a bound; the committed offset must
 * reach the end; the dead-letter topic must hold one copy per dead letter.
 *
 * <p>The seed is printed; rerun one with {@code -Dkeel.fuzz.seed=<seed>}.
 */
@KeelTest
class HostileInputFuzzIT {
  private static final int RECORDS = 120;
  private static final Duration BOUND = Duration.ofSeconds(90);
  private static final RetryPolicy FAST =
      RetryPolicy.builder()
          .maxAttempts(3)
          .initialDelay(Duration.ofMillis(5))
          .maxDelay(Duration.ofMillis(20))
          .build();

  private static long seed(int salt) {
    long base = Long.getLong("keel.fuzz.seed", 20_261_206L);
    long seed = base + salt;
    System.out.println(
        "HostileInputFuzzIT seed " + seed + " (rerun with -Dkeel.fuzz.seed=" + base + ")");
    return seed;
  }

  @Test
  void everyHostileRecordIsHandledOrDeadLetteredAndThePartitionMovesOn(
      KafkaBroker broker, Topics topics, IsolatedDatabase db) throws Exception {
    run(broker, topics, db, seed(0), b -> b.retryPolicy(FAST), false);
  }

  @Test
  void inOrderedModeEveryHostileRecordIsHandledDeadLetteredOrParked(
      KafkaBroker broker, Topics topics, IsolatedDatabase db) throws Exception {
    run(broker, topics, db, seed(1), b -> b.retryPolicy(FAST).orderedMode(true), true);
  }

  @Test
  void throughRetryTiersEveryHostileRecordIsHandledOrDeadLettered(
      KafkaBroker broker, Topics topics, IsolatedDatabase db) throws Exception {
    run(
        broker,
        topics,
        db,
        seed(2),
        b ->
            b.retryPolicy(RetryPolicy.builder().maxAttempts(1).build())
                .retryTiers(Duration.ofMillis(50), Duration.ofMillis(50)),
        false);
  }

  @Test
  void onMariaDbEveryHostileRecordIsHandledOrDeadLettered(
      KafkaBroker broker, Topics topics, @WithDatabase(DatabaseKind.MARIADB) IsolatedDatabase db)
      throws Exception {
    run(broker, topics, db, seed(3), b -> b.retryPolicy(FAST).orderedMode(true), true);
  }

  private void run(
      KafkaBroker broker,
      Topics topics,
      IsolatedDatabase db,
      long seed,
      UnaryOperator<ConsumerRuntime.Builder> config,
      boolean ordered)
      throws Exception {
    String topic = topics.create("fuzz", 2);
    String group = Fixture.group();
    Fixture.exec(
        db.dataSource(),
        "CREATE TABLE fuzz_effect (seq INT NOT NULL PRIMARY KEY, event_id VARCHAR(64),"
            + " note VARCHAR(64))");
    HostileRecords gen = new HostileRecords(seed, HostileRecords.defaultKeyPool());
    Map<Integer, Generated> sent = new HashMap<>();
    Map<String, Integer> seqAt = new HashMap<>();
    try (KafkaProducer<byte[], byte[]> p = Fixture.producer(broker)) {
      for (int i = 0; i < RECORDS; i++) {
        Generated g = gen.next(topic, i);
        RecordMetadata m = p.send(g.record()).get(10, TimeUnit.SECONDS);
        sent.put(i, g);
        seqAt.put(m.partition() + "@" + m.offset(), i);
      }
    }
    Map<Integer, AtomicInteger> calls = new ConcurrentHashMap<>();
    ListenerDefinition listener =
        ListenerDefinition.builder()
            .topic(topic)
            .group(group)
            .payloadType(Item.class)
            .handler(
                d -> {
                  int seq = Integer.parseInt(d.event().headers().get(HostileRecords.SEQ));
                  Item item = d.payload();
                  int n = calls.computeIfAbsent(seq, k -> new AtomicInteger()).incrementAndGet();
                  Mode mode = sent.get(seq).mode();
                  switch (mode) {
                    case BUSINESS_FAILURE ->
                        throw new NonRetriableKeelException(
                            FailureClass.BUSINESS, "declined \u0000 " + item.key());
                    case TRANSIENT_ONCE -> {
                      if (n == 1) {
                        throw new RetriableKeelException("lock timeout \u0000");
                      }
                    }
                    case ALWAYS_TRANSIENT -> throw new RetriableKeelException("down \u0000");
                    default -> {}
                  }
                  effect(d.connection(), seq, d.event().id().toString(), mode);
                })
            .build();
    DeadLetterStore store = DeadLetterStore.builder().dataSource(db.dataSource()).build();
    try (ConsumerRuntime runtime =
        config.apply(Fixture.runtime(broker, db.dataSource())).listener(listener).build()) {
      runtime.start();
      Fixture.awaitOrExplain(
          BOUND,
          () ->
              committed(broker, group, topic) == RECORDS
                  && outcomes(db, store, group, topic, seqAt).size() == RECORDS,
          () -> {
            try {
              return "seed "
                  + seed
                  + ", committed "
                  + committed(broker, group, topic)
                  + " of "
                  + RECORDS
                  + ", outcomes "
                  + outcomes(db, store, group, topic, seqAt).size()
                  + ", missing "
                  + missing(sent, outcomes(db, store, group, topic, seqAt));
            } catch (Exception e) {
              return "seed " + seed + ": " + e;
            }
          });
    }
    Map<Integer, String> outcome = outcomes(db, store, group, topic, seqAt);
    List<String> all = new ArrayList<>(outcome.values());
    assertThat(outcome.keySet()).as("seed %d: every record accounted for", seed).hasSize(RECORDS);
    assertThat(all).as("seed %d: some handled", seed).contains("handled");
    assertThat(all).as("seed %d: some dead-lettered", seed).contains("dead");
    if (ordered) {
      assertThat(all).as("seed %d: some parked", seed).contains("parked");
    }
    long dead = all.stream().filter("dead"::equals).count();
    assertThat(Fixture.endOffsetsTotal(broker, topic + ".dlq", 2))
        .as("seed %d: one copy per dead letter in %s.dlq", seed, topic)
        .isEqualTo(dead);
    for (DeadLetter d : deadLetters(store, group, topic)) {
      Generated g = sent.get(seqAt.get(d.partition() + "@" + d.offset()));
      assertThat(d.key()).isEqualTo(g.record().key());
      assertThat(d.payload()).isEqualTo(g.record().value());
      if (g.eventId() != null) {
        assertThat(d.eventId()).isEqualTo(g.eventId());
      }
    }
    try (Connection c = db.dataSource().getConnection();
        PreparedStatement ps = c.prepareStatement("SELECT seq, event_id FROM fuzz_effect");
        ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        assertThat(rs.getString(2))
            .as("seed %d: record %d handled under its own event id", seed, rs.getInt(1))
            .isEqualTo(sent.get(rs.getInt(1)).eventId());
      }
    }
  }

  private static List<String> missing(Map<Integer, Generated> sent, Map<Integer, String> outcomes) {
    List<String> out = new ArrayList<>();
    sent.forEach(
        (seq, g) -> {
          if (!outcomes.containsKey(seq)) {
            out.add(seq + " (" + g.mode() + ", event id " + g.eventId() + ")");
          }
        });
    return out;
  }

  private static void effect(Connection c, int seq, String eventId, Mode mode) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement("INSERT INTO fuzz_effect (seq, event_id, note) VALUES (?, ?, ?)")) {
      ps.setInt(1, seq);
      ps.setString(2, eventId);
      // PostgreSQL refuses U+0000 in text (SQLState 22021): a data exception inside the handler
      ps.setString(3, mode == Mode.NUL_IN_EFFECT ? "a\u0000b" : "ok");
      ps.executeUpdate();
    }
  }

  /** The records' offsets committed by the group on the source topic (not its delay tiers). */
  private static long committed(KafkaBroker broker, String group, String topic) throws Exception {
    long total = 0;
    for (Map.Entry<TopicPartition, OffsetAndMetadata> e :
        Fixture.committed(broker, group).entrySet()) {
      if (e.getKey().topic().equals(topic) && e.getValue() != null) {
        total += e.getValue().offset();
      }
    }
    return total;
  }

  /** The group's dead letters (its delay-tier consumer stores them under the group too). */
  private static List<DeadLetter> deadLetters(DeadLetterStore store, String group, String topic) {
    return store.find(
        DeadLetterQuery.builder()
            .group(group)
            .topic(topic)
            .limit(DeadLetterQuery.MAX_LIMIT)
            .build());
  }

  /**
   * Each record's outcome by sequence number: handled (an effect row), dead (a dead letter at its
   * position) or parked (a parked row at its position). A record with two outcomes fails here.
   */
  private static Map<Integer, String> outcomes(
      IsolatedDatabase db,
      DeadLetterStore store,
      String group,
      String topic,
      Map<String, Integer> seqAt)
      throws SQLException {
    Map<Integer, String> out = new HashMap<>();
    Set<String> twice = new HashSet<>();
    try (Connection c = db.dataSource().getConnection()) {
      try (PreparedStatement ps = c.prepareStatement("SELECT seq FROM fuzz_effect");
          ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          put(out, twice, rs.getInt(1), "handled");
        }
      }
      if (tableExists(c, "keel_dlq_parked")) {
        try (PreparedStatement ps =
            c.prepareStatement(
                "SELECT kafka_partition, kafka_offset FROM keel_dlq_parked"
                    + " WHERE consumer_group = ? AND topic = ?")) {
          ps.setString(1, group);
          ps.setString(2, topic);
          try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
              put(out, twice, seqAt.get(rs.getInt(1) + "@" + rs.getLong(2)), "parked");
            }
          }
        }
      }
    }
    if (tableExistsQuietly(db, "keel_dead_letter")) {
      for (DeadLetter d : deadLetters(store, group, topic)) {
        put(out, twice, seqAt.get(d.partition() + "@" + d.offset()), "dead");
      }
    }
    assertThat(twice).as("records with two outcomes").isEmpty();
    return out;
  }

  private static void put(Map<Integer, String> out, Set<String> twice, Integer seq, String what) {
    assertThat(seq).as("an outcome at a position nothing was sent to").isNotNull();
    String before = out.put(seq, what);
    if (before != null) {
      twice.add(seq + ": " + before + " and " + what);
    }
  }

  private static boolean tableExistsQuietly(IsolatedDatabase db, String table) {
    try (Connection c = db.dataSource().getConnection()) {
      return tableExists(c, table);
    } catch (SQLException e) {
      return false;
    }
  }

  private static boolean tableExists(Connection c, String table) throws SQLException {
    try (ResultSet rs = c.getMetaData().getTables(c.getCatalog(), c.getSchema(), table, null)) {
      return rs.next();
    }
  }
}
