package dev.keel.dlq;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.dlq.testing.KafkaIo;
import dev.keel.event.FailureClass;
import dev.keel.retry.Failure;
import dev.keel.test.DatabaseKind;
import dev.keel.test.IsolatedDatabase;
import dev.keel.test.KafkaBroker;
import dev.keel.test.KeelTest;
import dev.keel.test.Topics;
import dev.keel.test.WithDatabase;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

/**
 * Issue 15 item 2: keys, header names and header values that PostgreSQL text cannot hold (U+0000,
 * invalid UTF-8) are stored as base64 and replayed byte for byte; a repeated publish does not grow
 * {@code <topic>.dlq}; a row the database still refuses as data is stored in its all-base64 form
 * instead of being retried forever.
 */
@KeelTest
class UnstorableTextIT {
  private static final byte[] NUL_KEY = "ord\u0000er-1".getBytes(StandardCharsets.UTF_8);
  private static final byte[] BAD_UTF8 = {(byte) 0xc3, 0x28, 0x00, (byte) 0xff};

  static List<FailedRecord.Header> hostileHeaders() {
    List<FailedRecord.Header> h = new ArrayList<>();
    h.add(FailedRecord.Header.of("keel-event-id", UUID.randomUUID().toString()));
    h.add(FailedRecord.Header.of("note", "a\u0000b"));
    h.add(new FailedRecord.Header("bin", BAD_UTF8));
    h.add(FailedRecord.Header.of("na\u0000me", "v"));
    h.add(new FailedRecord.Header("empty", new byte[0]));
    h.add(new FailedRecord.Header("none", null));
    h.add(FailedRecord.Header.of("dup", "1"));
    h.add(FailedRecord.Header.of("dup", "2\u0001"));
    return h;
  }

  @Test
  void nulAndInvalidUtf8AreStoredAndReplayedByteForByteOnPostgres(
      KafkaBroker broker, Topics topics, IsolatedDatabase db) throws Exception {
    storedAndReplayed(broker, topics, db, NUL_KEY);
    storedAndReplayed(broker, topics, db, BAD_UTF8);
  }

  @Test
  void nulAndInvalidUtf8AreStoredAndReplayedByteForByteOnMariaDb(
      KafkaBroker broker, Topics topics, @WithDatabase(DatabaseKind.MARIADB) IsolatedDatabase db)
      throws Exception {
    storedAndReplayed(broker, topics, db, NUL_KEY);
    storedAndReplayed(broker, topics, db, BAD_UTF8);
  }

  private void storedAndReplayed(KafkaBroker broker, Topics topics, IsolatedDatabase db, byte[] key)
      throws Exception {
    String topic = topics.create("hostile", 1);
    DeadLetterStore store = DeadLetterStore.builder().dataSource(db.dataSource()).build();
    store.install();
    List<FailedRecord.Header> headers = hostileHeaders();
    byte[] payload = {0x00, 0x7b, (byte) 0xfe};
    FailedRecord record = new FailedRecord(topic, 0, 7L, key, payload, headers);
    Failure failure =
        Failure.once(
            "g",
            FailureClass.VALIDATION,
            new IllegalArgumentException("bad key ord\u0000er-1 \ud800"),
            Instant.now());
    try (KafkaIo kafka = new KafkaIo(broker);
        DeadLetterPublisher publisher =
            DeadLetterPublisher.builder()
                .kafka(Map.copyOf(broker.clientProperties()))
                .store(store)
                .includeStackTraces(true)
                .build();
        DeadLetters ops =
            DeadLetters.builder()
                .store(store)
                .kafka(Map.copyOf(broker.clientProperties()))
                .build()) {
      DeadLetter first = publisher.publish(record, failure);
      // a caller retrying the publish (as the consumer runtime does) finds the same dead letter
      assertThat(publisher.publish(record, failure).id()).isEqualTo(first.id());
      assertThat(publisher.publish(record, failure).id()).isEqualTo(first.id());
      assertThat(kafka.readAll(topic + ".dlq", 1)).as("one copy in the dlq topic").hasSize(1);

      DeadLetter stored = store.get(first.id()).orElseThrow();
      assertThat(stored.key()).isEqualTo(key);
      assertThat(stored.payload()).isEqualTo(payload);
      assertThat(stored.headers()).containsExactlyElementsOf(headers);
      assertThat(stored.exceptionMessage()).doesNotContain("\u0000");
      assertThat(stored.stackTrace()).contains("IllegalArgumentException").doesNotContain("\u0000");
      assertThat(keyText(db, first.id()))
          .isEqualTo("base64:" + Base64.getEncoder().encodeToString(key));

      assertThat(ops.replay(DeadLetterQuery.byId(first.id()), "ops").records()).isEqualTo(1);
      ConsumerRecord<byte[], byte[]> replayed = kafka.readAll(topic, 1).get(0);
      assertThat(replayed.key()).isEqualTo(key);
      assertThat(replayed.value()).isEqualTo(payload);
      List<FailedRecord.Header> back = new ArrayList<>();
      replayed.headers().forEach(h -> back.add(new FailedRecord.Header(h.key(), h.value())));
      assertThat(back).containsExactlyElementsOf(headers);
    }
  }

  @Test
  void aParkedRecordWithUnstorableHeadersIsReleasedByteForByte(
      KafkaBroker broker, Topics topics, IsolatedDatabase db) {
    String topic = topics.create("parked", 1);
    DeadLetterStore store = DeadLetterStore.builder().dataSource(db.dataSource()).build();
    store.install();
    try (KafkaIo kafka = new KafkaIo(broker);
        DeadLetterPublisher publisher =
            DeadLetterPublisher.builder()
                .kafka(Map.copyOf(broker.clientProperties()))
                .store(store)
                .orderedMode(true)
                .build();
        DeadLetters ops =
            DeadLetters.builder()
                .store(store)
                .kafka(Map.copyOf(broker.clientProperties()))
                .build()) {
      FailedRecord first = new FailedRecord(topic, 0, 1L, NUL_KEY, new byte[] {1}, List.of());
      publisher.publish(
          first,
          Failure.once(
              "g", FailureClass.VALIDATION, new IllegalStateException("x"), Instant.now()));
      List<FailedRecord.Header> headers = hostileHeaders();
      FailedRecord later = new FailedRecord(topic, 0, 2L, NUL_KEY, BAD_UTF8, headers);
      assertThat(publisher.parkIfBlocked("g", later)).isTrue();
      assertThat(publisher.parkIfBlocked("g", later)).as("parked once").isTrue();
      List<ParkedRecord> parked =
          store.parked("g", topic, new String(NUL_KEY, StandardCharsets.UTF_8));
      assertThat(parked).hasSize(1);
      assertThat(parked.get(0).record().headers()).containsExactlyElementsOf(headers);

      ActionResult r = ops.replay(DeadLetterQuery.builder().topic(topic).build(), "ops");
      assertThat(r.parkedRecords()).isEqualTo(1);
      List<ConsumerRecord<byte[], byte[]>> out = kafka.readAll(topic, 2);
      assertThat(out).hasSize(2);
      assertThat(out.get(1).key()).isEqualTo(NUL_KEY);
      assertThat(out.get(1).value()).isEqualTo(BAD_UTF8);
      List<FailedRecord.Header> back = new ArrayList<>();
      out.get(1).headers().forEach(h -> back.add(new FailedRecord.Header(h.key(), h.value())));
      // the original headers as they were, then the mark of the key's release
      assertThat(back.subList(0, back.size() - 1)).containsExactlyElementsOf(headers);
      assertThat(back.get(back.size() - 1).name()).isEqualTo(DeadLetterHeaders.RELEASE);
      assertThat(store.blockedKeys()).isZero();
    }
  }

  @Test
  void aRowTheDatabaseRefusesAsDataIsStoredAllBase64InsteadOfRetriedForever(
      KafkaBroker broker, Topics topics, IsolatedDatabase db) throws Exception {
    String topic = topics.create("refused", 1);
    AtomicInteger refusals = new AtomicInteger();
    DataSource refusing = refusingFirstInsert(db.dataSource(), refusals);
    DeadLetterStore store = DeadLetterStore.builder().dataSource(refusing).build();
    store.install();
    List<FailedRecord.Header> headers = hostileHeaders();
    FailedRecord record = new FailedRecord(topic, 0, 3L, "k-1".getBytes(), new byte[] {2}, headers);
    try (KafkaIo kafka = new KafkaIo(broker);
        DeadLetterPublisher publisher =
            DeadLetterPublisher.builder()
                .kafka(Map.copyOf(broker.clientProperties()))
                .store(store)
                .build()) {
      DeadLetter d =
          publisher.publish(
              record,
              Failure.once(
                  "g", FailureClass.BUSINESS, new IllegalStateException("why"), Instant.now()));
      assertThat(refusals).hasValue(1);
      assertThat(d.headers()).containsExactlyElementsOf(headers);
      assertThat(d.key()).isEqualTo("k-1".getBytes());
      assertThat(d.exceptionMessage()).isNull();
      assertThat(keyText(db, d.id()))
          .isEqualTo("base64:" + Base64.getEncoder().encodeToString("k-1".getBytes()));
      assertThat(kafka.readAll(topic + ".dlq", 1)).hasSize(1);
    }
  }

  private static String keyText(IsolatedDatabase db, long id) throws SQLException {
    try (Connection c = db.dataSource().getConnection();
        PreparedStatement ps =
            c.prepareStatement("SELECT key_text FROM keel_dead_letter WHERE id = ?")) {
      ps.setLong(1, id);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getString(1);
      }
    }
  }

  /**
   * The real data source, except that the first dead-letter insert fails as PostgreSQL fails a
   * value it cannot store (SQLState 22021), as a future unstorable field would.
   */
  private static DataSource refusingFirstInsert(DataSource real, AtomicInteger refusals) {
    InvocationHandler ds =
        (proxy, m, args) -> {
          Object out = invoke(real, m, args);
          if (!m.getName().equals("getConnection")) {
            return out;
          }
          Connection c = (Connection) out;
          return Proxy.newProxyInstance(
              UnstorableTextIT.class.getClassLoader(),
              new Class<?>[] {Connection.class},
              (p, cm, cargs) -> {
                if (cm.getName().equals("prepareStatement")
                    && ((String) cargs[0]).contains("key_text")
                    && refusals.compareAndSet(0, 1)) {
                  throw new SQLException("invalid byte sequence for encoding UTF8: 0x00", "22021");
                }
                return invoke(c, cm, cargs);
              });
        };
    return (DataSource)
        Proxy.newProxyInstance(
            UnstorableTextIT.class.getClassLoader(), new Class<?>[] {DataSource.class}, ds);
  }

  private static Object invoke(Object target, java.lang.reflect.Method m, Object[] args)
      throws Throwable {
    try {
      return m.invoke(target, args);
    } catch (InvocationTargetException e) {
      throw e.getCause();
    }
  }
}
