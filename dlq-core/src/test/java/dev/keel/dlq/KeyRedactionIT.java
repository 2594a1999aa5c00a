package dev.keel.dlq;

import static dev.keel.dlq.testing.KafkaIo.header;
import static dev.keel.dlq.testing.KafkaIo.utf8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.dlq.spi.PayloadRedactor;
import dev.keel.dlq.testing.ConsumerLoop;
import dev.keel.dlq.testing.KafkaIo;
import dev.keel.dlq.testing.ManualTime;
import dev.keel.event.FailureClass;
import dev.keel.event.NonRetriableKeelException;
import dev.keel.retry.Failure;
import dev.keel.retry.InPlaceRetry;
import dev.keel.test.DatabaseKind;
import dev.keel.test.IsolatedDatabase;
import dev.keel.test.KafkaBroker;
import dev.keel.test.KeelTest;
import dev.keel.test.Topics;
import dev.keel.test.WithDatabase;
import java.nio.charset.StandardCharsets;
import java.sql.Blob;
import java.sql.Clob;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.Test;

/**
 * {@link PayloadRedactor#redactKey}: a secret in a key never reaches the dead-letter table or
 * {@code <topic>.dlq} (nor what {@code keel dlq} prints: keel-cli's KeyRedactionCliIT); ordered
 * mode still blocks, parks and releases the original key; replay refuses a dead letter whose key
 * was redacted, discard does not; records parked behind the key stay unredacted.
 */
@KeelTest
class KeyRedactionIT {
  private static final String SECRET = "4111111111111111";
  private static final String SECRET_KEY = "acct-" + SECRET;
  private static final String MASKED = "acct-****";
  private static final String GROUP = "ledger";

  /** Masks account numbers in keys; other keys and everything else are kept. */
  private static final PayloadRedactor MASK_ACCOUNTS =
      new PayloadRedactor() {
        @Override
        public byte[] redact(FailedRecord record, byte[] payload) {
          return payload;
        }

        @Override
        public byte[] redactKey(FailedRecord record, byte[] key) {
          return new String(key, StandardCharsets.UTF_8).startsWith("acct-") ? utf8(MASKED) : key;
        }
      };

  @Test
  void aSecretKeyStaysOutOfTheTableTheTopicAndTheCliOnPostgres(
      KafkaBroker broker, Topics topics, IsolatedDatabase db) throws Exception {
    secretKeyStaysOut(broker, topics, db);
  }

  @Test
  void aSecretKeyStaysOutOfTheTableTheTopicAndTheCliOnMariaDb(
      KafkaBroker broker, Topics topics, @WithDatabase(DatabaseKind.MARIADB) IsolatedDatabase db)
      throws Exception {
    secretKeyStaysOut(broker, topics, db);
  }

  private void secretKeyStaysOut(KafkaBroker broker, Topics topics, IsolatedDatabase db)
      throws Exception {
    String topic = topics.create("accounts", 1);
    DeadLetterStore store = DeadLetterStore.builder().dataSource(db.dataSource()).build();
    store.install();
    ManualTime time = new ManualTime();
    InPlaceRetry retry = InPlaceRetry.builder().sleeper(time.sleeper()).clock(time.clock()).build();
    List<String> processed = new CopyOnWriteArrayList<>();
    Map<String, Object> props = Map.copyOf(broker.clientProperties());
    try (KafkaIo kafka = new KafkaIo(broker);
        DeadLetterPublisher publisher =
            DeadLetterPublisher.builder()
                .kafka(props)
                .store(store)
                .orderedMode(true)
                .redactor(MASK_ACCOUNTS)
                .build();
        DeadLetters ops = DeadLetters.builder().store(store).kafka(props).build();
        ConsumerLoop loop =
            new ConsumerLoop(
                kafka,
                GROUP,
                List.of(topic),
                retry,
                publisher,
                rec -> {
                  String v = new String(rec.value(), StandardCharsets.UTF_8);
                  if (v.equals("P1")) {
                    throw new NonRetriableKeelException(FailureClass.VALIDATION, "P1 is invalid");
                  }
                  processed.add(v);
                })) {
      kafka.send(topic, SECRET_KEY, utf8("P1"), KafkaIo.envelope(UUID.randomUUID()));
      kafka.send(topic, SECRET_KEY, utf8("P2"), KafkaIo.envelope(UUID.randomUUID()));
      kafka.send(topic, "plain", utf8("Q1"), KafkaIo.envelope(UUID.randomUUID()));
      loop.runUntilSeen(3);
      assertThat(loop.deadLettered()).isEqualTo(1);
      assertThat(loop.parked()).isEqualTo(1);
      assertThat(processed).containsExactly("Q1");

      // stored with the redacted key, blocked and found by the original one
      DeadLetter d = store.find(DeadLetterQuery.builder().topic(topic).build()).get(0);
      assertThat(d.key()).isEqualTo(utf8(MASKED));
      assertThat(d.keyRedacted()).isTrue();
      assertThat(store.find(DeadLetterQuery.builder().key(SECRET_KEY).build()))
          .extracting(DeadLetter::id)
          .containsExactly(d.id());
      assertThat(store.find(DeadLetterQuery.builder().key(MASKED).build())).isEmpty();
      assertThat(store.isBlocked(GROUP, topic, utf8(SECRET_KEY))).isTrue();
      assertThat(store.isBlocked(GROUP, topic, utf8(MASKED))).isFalse();

      // the record parked behind the key is not a dead letter: kept as it was, to be processed
      List<ParkedRecord> parked = store.parked(GROUP, topic, SECRET_KEY);
      assertThat(parked)
          .singleElement()
          .satisfies(p -> assertThat(p.record().key()).isEqualTo(utf8(SECRET_KEY)));
      assertThat(cells(db, "keel_dlq_parked")).anyMatch(c -> c.contains(SECRET));

      assertThat(cells(db, "keel_dead_letter")).isNotEmpty().noneMatch(KeyRedactionIT::leaks);
      assertThat(cells(db, "keel_dlq_blocked_key")).isNotEmpty().noneMatch(KeyRedactionIT::leaks);

      ConsumerRecord<byte[], byte[]> copy = kafka.readAll(topic + ".dlq", 1).get(0);
      assertThat(copy.key()).isEqualTo(utf8(MASKED));
      assertThat(header(copy, DeadLetterHeaders.KEY_REDACTED)).isEqualTo("true");
      assertThat(latin1(copy.value())).doesNotContain(SECRET);
      for (Header h : copy.headers()) {
        assertThat(latin1(h.value())).as(h.key()).doesNotContain(SECRET);
      }

      // replay refuses it with the reason, publishes nothing and leaves the key blocked
      long inTopic = kafka.endOffset(topic);
      ActionResult refused = ops.replay(DeadLetterQuery.builder().topic(topic).build(), "alice");
      assertThat(refused.records()).isZero();
      assertThat(refused.parkedRecords()).isZero();
      assertThat(refused.refused())
          .singleElement()
          .satisfies(
              r -> {
                assertThat(r.id()).isEqualTo(d.id());
                assertThat(r.reason()).contains("key was redacted", "discard");
              });
      assertThat(ops.audit(1).get(0).outcome()).isEqualTo("completed; 1 refused (key redacted)");
      assertThat(kafka.endOffset(topic)).isEqualTo(inTopic);
      assertThat(store.get(d.id()).orElseThrow().status()).isEqualTo(DeadLetterStatus.DEAD);
      assertThat(store.isBlocked(GROUP, topic, utf8(SECRET_KEY))).isTrue();

      // discard works and releases the key: its next record is processed, not parked
      ActionResult discarded = ops.discard(DeadLetterQuery.byId(d.id()), "alice");
      assertThat(discarded.records()).isEqualTo(1);
      assertThat(discarded.parkedRecords()).isEqualTo(1);
      assertThat(store.isBlocked(GROUP, topic, utf8(SECRET_KEY))).isFalse();
      assertThat(store.parked(GROUP, topic, SECRET_KEY)).isEmpty();
      kafka.send(topic, SECRET_KEY, utf8("P3"), KafkaIo.envelope(UUID.randomUUID()));
      loop.runUntilSeen(4);
      assertThat(processed).containsExactly("Q1", "P3");
      assertThat(loop.parked()).isEqualTo(1);

      assertThat(cells(db, "keel_dead_letter")).noneMatch(KeyRedactionIT::leaks);
      assertThat(cells(db, "keel_dlq_audit")).noneMatch(KeyRedactionIT::leaks);
    }
  }

  @Test
  void keysTheRedactorMakesAlikeAreStillBlockedApartAndARetriedPublishStaysOneRow(
      KafkaBroker broker, Topics topics, IsolatedDatabase db) {
    String topic = topics.create("people", 1);
    DeadLetterStore store = DeadLetterStore.builder().dataSource(db.dataSource()).build();
    store.install();
    // every key becomes fresh random bytes, as an encryption with a random IV would make it
    PayloadRedactor scramble =
        new PayloadRedactor() {
          @Override
          public byte[] redact(FailedRecord record, byte[] payload) {
            return payload;
          }

          @Override
          public byte[] redactKey(FailedRecord record, byte[] key) {
            byte[] out = new byte[16];
            ThreadLocalRandom.current().nextBytes(out);
            return out;
          }
        };
    Map<String, Object> props = Map.copyOf(broker.clientProperties());
    try (KafkaIo kafka = new KafkaIo(broker);
        DeadLetterPublisher publisher =
            DeadLetterPublisher.builder()
                .kafka(props)
                .store(store)
                .orderedMode(true)
                .redactor(scramble)
                .build();
        DeadLetters ops = DeadLetters.builder().store(store).kafka(props).build()) {
      // no event id: a retried publish is recognised by the original key and the payload
      FailedRecord alice = new FailedRecord(topic, 0, 0, utf8("alice"), utf8("A1"), List.of());
      DeadLetter first = publisher.publish(alice, failure());
      assertThat(publisher.publish(alice, failure()).id()).isEqualTo(first.id());
      assertThat(store.find(DeadLetterQuery.builder().topic(topic).build())).hasSize(1);
      assertThat(kafka.readAll(topic + ".dlq", 1)).hasSize(1);

      FailedRecord bob = new FailedRecord(topic, 0, 1, utf8("bob"), utf8("B1"), List.of());
      assertThat(publisher.parkIfBlocked(GROUP, bob)).as("bob is not alice").isFalse();
      FailedRecord alice2 = new FailedRecord(topic, 0, 2, utf8("alice"), utf8("A2"), List.of());
      assertThat(publisher.parkIfBlocked(GROUP, alice2)).isTrue();

      FailedRecord plain = new FailedRecord(topic, 0, 3, null, utf8("N1"), List.of());
      DeadLetter unkeyed = publisher.publish(plain, failure());
      assertThat(unkeyed.key()).isNull();
      assertThat(unkeyed.keyRedacted()).as("an unkeyed record has no key to redact").isFalse();

      // replaying the topic replays the unkeyed letter and refuses alice's
      ActionResult r = ops.replay(DeadLetterQuery.builder().topic(topic).build(), "ops");
      assertThat(r.ids()).containsExactly(unkeyed.id());
      assertThat(r.refused()).extracting(ActionResult.Refusal::id).containsExactly(first.id());
      assertThat(store.isBlocked(GROUP, topic, utf8("alice"))).isTrue();

      ActionResult d = ops.discard(DeadLetterQuery.builder().key("alice").build(), "ops");
      assertThat(d.records()).isEqualTo(1);
      assertThat(d.parkedRecords()).isEqualTo(1);
      assertThat(store.blockedKeys()).isZero();
    }
  }

  @Test
  void whatTheRedactorReturnsIsPublishedAndStoredExactlyOnPostgres(
      KafkaBroker broker, Topics topics, IsolatedDatabase db) {
    extremeKeys(broker, topics, db);
  }

  @Test
  void whatTheRedactorReturnsIsPublishedAndStoredExactlyOnMariaDb(
      KafkaBroker broker, Topics topics, @WithDatabase(DatabaseKind.MARIADB) IsolatedDatabase db) {
    extremeKeys(broker, topics, db);
  }

  /** Null, empty, NUL-holding, invalid UTF-8, {@code base64:}-looking and large keys. */
  private void extremeKeys(KafkaBroker broker, Topics topics, IsolatedDatabase db) {
    String topic = topics.create("extremes", 1);
    DeadLetterStore store = DeadLetterStore.builder().dataSource(db.dataSource()).build();
    store.install();
    byte[] large = new byte[200 * 1024];
    new java.util.Random(7).nextBytes(large);
    List<byte[]> keys = new ArrayList<>();
    keys.add(null);
    keys.add(new byte[0]);
    keys.add(utf8("a\u0000b"));
    keys.add(new byte[] {(byte) 0xc3, 0x28, 0x00, (byte) 0xff});
    keys.add(utf8("base64:AAAA"));
    keys.add(large);
    Map<Integer, byte[]> byOffset = new HashMap<>();
    PayloadRedactor returnsTheListedKey =
        new PayloadRedactor() {
          @Override
          public byte[] redact(FailedRecord record, byte[] payload) {
            return payload;
          }

          @Override
          public byte[] redactKey(FailedRecord record, byte[] key) {
            return byOffset.get((int) record.offset());
          }
        };
    try (KafkaIo kafka = new KafkaIo(broker);
        DeadLetterPublisher publisher =
            DeadLetterPublisher.builder()
                .kafka(Map.copyOf(broker.clientProperties()))
                .store(store)
                .orderedMode(true)
                .redactor(returnsTheListedKey)
                .build()) {
      for (int i = 0; i < keys.size(); i++) {
        byOffset.put(i, keys.get(i));
        DeadLetter d =
            publisher.publish(
                new FailedRecord(
                    topic,
                    0,
                    i,
                    utf8(SECRET_KEY + "-" + i),
                    utf8("v" + i),
                    KafkaIo.envelope(UUID.randomUUID())),
                failure());
        assertThat(store.get(d.id()).orElseThrow().key()).as("key %d", i).isEqualTo(keys.get(i));
        assertThat(d.keyRedacted()).isTrue();
        assertThat(store.isBlocked(GROUP, topic, utf8(SECRET_KEY + "-" + i))).isTrue();
      }
      List<ConsumerRecord<byte[], byte[]>> copies = kafka.readAll(topic + ".dlq", keys.size());
      assertThat(copies).hasSize(keys.size());
      for (int i = 0; i < keys.size(); i++) {
        assertThat(copies.get(i).key()).as("copy %d", i).isEqualTo(keys.get(i));
      }
      assertThat(store.blockedKeys()).isEqualTo(keys.size());
    }
  }

  private static Failure failure() {
    return Failure.once(
        GROUP, FailureClass.VALIDATION, new IllegalArgumentException("refused"), Instant.now());
  }

  /** Whether stored or printed text holds the secret, plainly or as the key's base64. */
  private static boolean leaks(String text) {
    return text.contains(SECRET)
        || text.contains(Base64.getEncoder().encodeToString(utf8(SECRET_KEY)));
  }

  private static String latin1(byte[] bytes) {
    return bytes == null ? "" : new String(bytes, StandardCharsets.ISO_8859_1);
  }

  /** Every cell of a table as text (binary cells byte for byte). */
  private static List<String> cells(IsolatedDatabase db, String table) throws SQLException {
    List<String> out = new ArrayList<>();
    try (Connection c = db.dataSource().getConnection();
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT * FROM " + table)) {
      int n = rs.getMetaData().getColumnCount();
      while (rs.next()) {
        for (int i = 1; i <= n; i++) {
          Object v = rs.getObject(i);
          if (v instanceof byte[] b) {
            out.add(latin1(b));
          } else if (v instanceof Blob b) {
            out.add(latin1(b.getBytes(1, (int) b.length())));
          } else if (v instanceof Clob cl) {
            out.add(cl.getSubString(1, (int) cl.length()));
          } else {
            out.add(String.valueOf(v));
          }
        }
      }
    }
    return out;
  }
}
