package dev.keel.consumer;

import static org.awaitility.Awaitility.await;

import dev.keel.event.Event;
import dev.keel.event.kafka.KafkaRecords;
import dev.keel.test.IsolatedDatabase;
import dev.keel.test.KafkaBroker;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import javax.sql.DataSource;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.awaitility.core.ConditionTimeoutException;

/** Shared setup of the consumer tests: events, a producer, the effect table, offsets. */
final class Fixture {
  private Fixture() {}

  /** The payload of the test events. */
  record Item(String key, int seq) {}

  static Event event(String topic, String key, int seq) {
    return Event.builder()
        .type("item.added")
        .topic(topic)
        .key(key)
        .source("test")
        .payload(("{\"key\":\"" + key + "\",\"seq\":" + seq + "}").getBytes(StandardCharsets.UTF_8))
        .build();
  }

  static KafkaProducer<byte[], byte[]> producer(KafkaBroker broker) {
    Map<String, Object> p = new HashMap<>(broker.clientProperties());
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.LINGER_MS_CONFIG, 5);
    return new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
  }

  /**
   * Sends each event {@code copies} times (in a row, same key and event id). A send the broker
   * refused fails the test at the next {@link #send} or {@link #checkSent}, never silently: a
   * missing record would otherwise show up as a consumer that "hangs".
   */
  static void send(KafkaProducer<byte[], byte[]> producer, Event event, int copies) {
    checkSent();
    for (int i = 0; i < copies; i++) {
      producer.send(
          KafkaRecords.toProducerRecord(event),
          (metadata, error) -> {
            if (error != null) {
              SEND_FAILURES.add(error);
            }
          });
    }
  }

  private static final Queue<Exception> SEND_FAILURES = new ConcurrentLinkedQueue<>();

  /** Fails when a record given to {@link #send} was refused; call after the producer's flush. */
  static void checkSent() {
    Exception e = SEND_FAILURES.poll();
    if (e != null) {
      SEND_FAILURES.clear();
      throw new AssertionError("The test producer could not send a record", e);
    }
  }

  static void sendRaw(KafkaProducer<byte[], byte[]> producer, ProducerRecord<byte[], byte[]> r)
      throws Exception {
    producer.send(r).get(10, TimeUnit.SECONDS);
  }

  static Map<String, Object> consumerProps(KafkaBroker broker) {
    Map<String, Object> p = new HashMap<>(broker.clientProperties());
    p.put("auto.offset.reset", "earliest");
    return p;
  }

  static ConsumerRuntime.Builder runtime(KafkaBroker broker, DataSource ds) {
    return ConsumerRuntime.builder()
        .consumerProperties(consumerProps(broker))
        .dataSource(ds)
        .pollTimeout(Duration.ofMillis(50))
        .closeTimeout(Duration.ofSeconds(10));
  }

  /** The effect table without a key: a second effect of one event shows as a second row. */
  static void createEffectTable(DataSource ds) throws SQLException {
    exec(
        ds,
        "CREATE TABLE effect (event_id VARCHAR(64) NOT NULL, k VARCHAR(64), seq INT,"
            + " handled BIGINT, worker VARCHAR(255))");
  }

  /**
   * The effect table with a primary key on the event id: a second effect of one event raises a
   * unique violation (SQLSTATE 23505 or 23000) inside the handler, which the runtime then counts as
   * retried or dead-lettered, so counters of zero prove that no event had a second effect.
   */
  static void createUniqueEffectTable(DataSource ds) throws SQLException {
    exec(
        ds,
        "CREATE TABLE effect (event_id VARCHAR(64) NOT NULL PRIMARY KEY, k VARCHAR(64), seq INT,"
            + " handled BIGINT, worker VARCHAR(255))");
  }

  /** Inserts one effect row in the handler's transaction (see the two effect tables above). */
  static void insertEffect(Connection c, Delivery d, long handled) throws SQLException {
    Item item = d.payload();
    try (PreparedStatement ps =
        c.prepareStatement(
            "INSERT INTO effect (event_id, k, seq, handled, worker) VALUES (?, ?, ?, ?, ?)")) {
      ps.setString(1, d.event().id().toString());
      ps.setString(2, item == null ? d.event().key().orElse(null) : item.key());
      ps.setInt(3, item == null ? -1 : item.seq());
      ps.setLong(4, handled);
      ps.setString(5, Thread.currentThread().getName());
      ps.executeUpdate();
    }
  }

  static void exec(DataSource ds, String sql) throws SQLException {
    try (Connection c = ds.getConnection();
        Statement st = c.createStatement()) {
      st.execute(sql);
    }
  }

  static long count(DataSource ds, String sql) {
    try (Connection c = ds.getConnection();
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  static long effects(IsolatedDatabase db) {
    return count(db.dataSource(), "SELECT COUNT(*) FROM effect");
  }

  static long distinctEffects(IsolatedDatabase db) {
    return count(db.dataSource(), "SELECT COUNT(DISTINCT event_id) FROM effect");
  }

  static double counter(MeterRegistry registry, String group, String result) {
    Counter c =
        registry.find("keel.consumer.records").tag("group", group).tag("result", result).counter();
    return c == null ? 0 : c.count();
  }

  static String group() {
    return "g-" + UUID.randomUUID();
  }

  /** Committed offsets of a group, by partition (absent: nothing committed). */
  static Map<TopicPartition, OffsetAndMetadata> committed(KafkaBroker broker, String group)
      throws InterruptedException, ExecutionException, TimeoutException {
    try (Admin admin = Admin.create(broker.clientProperties())) {
      return admin
          .listConsumerGroupOffsets(group)
          .partitionsToOffsetAndMetadata()
          .get(10, TimeUnit.SECONDS);
    }
  }

  /**
   * Awaits a condition; on timeout fails with {@code state} (counters, offsets, the runtime's
   * failure) in the message and prints every thread's stack, to show what was stuck.
   */
  static void awaitOrExplain(Duration max, Callable<Boolean> condition, Supplier<String> state) {
    try {
      await().atMost(max).until(condition);
    } catch (ConditionTimeoutException e) {
      StringBuilder b = new StringBuilder("Thread dump at await timeout:\n");
      Thread.getAllStackTraces()
          .forEach(
              (t, stack) -> {
                b.append('"').append(t.getName()).append("\" ").append(t.getState()).append('\n');
                for (StackTraceElement el : stack) {
                  b.append("    at ").append(el).append('\n');
                }
              });
      System.err.println(b);
      String what;
      try {
        what = state.get();
      } catch (RuntimeException stateFailed) {
        what = "(state unavailable: " + stateFailed + ")";
      }
      throw new AssertionError("Not reached within " + max + ": " + what, e);
    }
  }

  /** The sum of a topic's end offsets: how many records it holds. */
  static long endOffsetsTotal(KafkaBroker broker, String topic, int partitions) throws Exception {
    try (Admin admin = Admin.create(broker.clientProperties())) {
      Map<TopicPartition, OffsetSpec> specs = new HashMap<>();
      for (int p = 0; p < partitions; p++) {
        specs.put(new TopicPartition(topic, p), OffsetSpec.latest());
      }
      return admin.listOffsets(specs).all().get(10, TimeUnit.SECONDS).values().stream()
          .mapToLong(o -> o.offset())
          .sum();
    }
  }

  static long committedTotal(KafkaBroker broker, String group) throws Exception {
    return committed(broker, group).values().stream()
        .filter(o -> o != null)
        .mapToLong(OffsetAndMetadata::offset)
        .sum();
  }

  /** Moves a group (with no active member) back to the start of every partition of a topic. */
  static void rewind(KafkaBroker broker, String group, String topic, int partitions)
      throws Exception {
    try (Admin admin = Admin.create(broker.clientProperties())) {
      Map<TopicPartition, OffsetSpec> specs = new HashMap<>();
      for (int p = 0; p < partitions; p++) {
        specs.put(new TopicPartition(topic, p), OffsetSpec.earliest());
      }
      Map<TopicPartition, OffsetAndMetadata> target = new HashMap<>();
      admin
          .listOffsets(specs)
          .all()
          .get(10, TimeUnit.SECONDS)
          .forEach((tp, info) -> target.put(tp, new OffsetAndMetadata(info.offset())));
      admin.alterConsumerGroupOffsets(group, target).all().get(10, TimeUnit.SECONDS);
    }
  }

  static List<Integer> seqsOf(DataSource ds, String key) throws SQLException {
    try (Connection c = ds.getConnection();
        PreparedStatement ps =
            c.prepareStatement("SELECT seq FROM effect WHERE k = ? ORDER BY handled")) {
      ps.setString(1, key);
      try (ResultSet rs = ps.executeQuery()) {
        List<Integer> out = new java.util.ArrayList<>();
        while (rs.next()) {
          out.add(rs.getInt(1));
        }
        return out;
      }
    }
  }
}
