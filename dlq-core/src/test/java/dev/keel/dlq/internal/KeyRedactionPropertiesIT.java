package dev.keel.dlq.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.dlq.ActionResult;
import dev.keel.dlq.DeadLetter;
import dev.keel.dlq.DeadLetterQuery;
import dev.keel.dlq.DeadLetterStore;
import dev.keel.dlq.DeadLetters;
import dev.keel.dlq.FailedRecord;
import dev.keel.dlq.spi.PayloadRedactor;
import dev.keel.event.FailureClass;
import dev.keel.test.Database;
import dev.keel.test.IsolatedDatabase;
import dev.keel.test.TestTime;
import java.nio.charset.StandardCharsets;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Fuzzes {@link PayloadRedactor#redactKey} with random keys and whatever a redactor may return
 * (null, empty, the key unchanged, huge, holding U+0000, invalid UTF-8, looking like {@code
 * base64:}), through the publisher's key handling ({@link RedactedKey}) into the store, on embedded
 * PostgreSQL, on MariaDB when {@code KEEL_MARIADB_URL} is set, and on H2. Named invariants, for
 * each try and database:
 *
 * <ul>
 *   <li>STORED_AS_RETURNED: the dead letter reads back with exactly the key the redactor returned;
 *   <li>FLAGGED: it is marked key-redacted exactly when that key differs from the original;
 *   <li>KEY_TEXT: {@code key_text} is the key itself when it is valid UTF-8 without U+0000 and does
 *       not start with {@code base64:}, else {@code base64:} and the key's exact base64;
 *   <li>BLOCKED_BY_ORIGINAL: the original key is blocked, whatever the stored key;
 *   <li>RELEASED_BY_DISCARD: discarding the dead letter unblocks the original key.
 * </ul>
 */
class KeyRedactionPropertiesIT {
  private static final String TOPIC = "orders";
  private static final String GROUP = "g";
  private static final AtomicLong OFFSET = new AtomicLong();
  private static final List<AutoCloseable> OPEN = new ArrayList<>();
  private static final List<JdbcDeadLetterStore> STORES = new ArrayList<>();
  private static final List<DeadLetters> OPS = new ArrayList<>();

  /** What the redactor returns for a key. */
  record Outcome(String kind, byte[] bytes) {
    byte[] apply(byte[] key) {
      return kind.equals("unchanged") ? key : bytes == null ? null : bytes.clone();
    }

    @Override
    public String toString() {
      return kind + (bytes == null ? "" : "(" + bytes.length + " bytes)");
    }
  }

  @BeforeContainer
  static void start() {
    List<Database> servers = new ArrayList<>();
    servers.add(Database.postgres());
    Database.mariadb().ifPresent(servers::add);
    servers.add(Database.h2());
    for (Database server : servers) {
      OPEN.add(0, server);
      IsolatedDatabase db = server.createIsolated("key_redaction_fuzz");
      OPEN.add(0, db);
      JdbcDeadLetterStore store =
          JdbcDeadLetterStore.over(DeadLetterStore.builder().dataSource(db.dataSource()).build());
      store.install();
      STORES.add(store);
      OPS.add(DeadLetters.builder().store(store).build()); // discard needs no Kafka
    }
  }

  @AfterContainer
  static void stop() throws Exception {
    for (DeadLetters ops : OPS) {
      ops.close();
    }
    for (AutoCloseable c : OPEN) {
      c.close();
    }
  }

  @Provide
  Arbitrary<byte[]> keys() {
    return Arbitraries.oneOf(
        Arbitraries.bytes().array(byte[].class).ofMinSize(0).ofMaxSize(64),
        Arbitraries.strings().all().ofMaxLength(40).map(KeyRedactionPropertiesIT::utf8),
        Arbitraries.strings()
            .withChars("ab\u0000\u00e9\ud83d\ude00")
            .ofMaxLength(20)
            .map(s -> utf8("base64:" + s)),
        Arbitraries.bytes().array(byte[].class).ofMinSize(1_000).ofMaxSize(20_000));
  }

  @Provide
  Arbitrary<Outcome> outcomes() {
    return Arbitraries.oneOf(
        Arbitraries.just(new Outcome("null", null)),
        Arbitraries.just(new Outcome("empty", new byte[0])),
        Arbitraries.just(new Outcome("unchanged", null)),
        Arbitraries.bytes()
            .array(byte[].class)
            .ofMinSize(0)
            .ofMaxSize(64)
            .map(b -> new Outcome("random", b)),
        Arbitraries.strings()
            .withChars("x\u0000\u0001")
            .ofMinLength(1)
            .ofMaxLength(30)
            .map(s -> new Outcome("nul", utf8(s + "\u0000"))),
        Arbitraries.strings()
            .all()
            .ofMaxLength(30)
            .map(s -> new Outcome("base64-looking", utf8("base64:" + s))),
        Arbitraries.integers()
            .between(64 * 1024, 1024 * 1024)
            .map(
                n -> {
                  byte[] b = new byte[n];
                  new java.util.Random(n).nextBytes(b);
                  return new Outcome("huge", b);
                }));
  }

  @Property(tries = 60, seed = "20260517")
  void whateverTheRedactorReturnsIsStoredSafely(
      @ForAll("keys") byte[] original, @ForAll("outcomes") Outcome outcome) throws SQLException {
    PayloadRedactor redactor =
        new PayloadRedactor() {
          @Override
          public byte[] redact(FailedRecord record, byte[] payload) {
            return payload;
          }

          @Override
          public byte[] redactKey(FailedRecord record, byte[] key) {
            return outcome.apply(key);
          }
        };
    byte[] expected = outcome.apply(original);
    boolean changed = !Arrays.equals(original, expected);
    for (int i = 0; i < STORES.size(); i++) {
      JdbcDeadLetterStore store = STORES.get(i);
      String where = store.dialect() + " " + outcome;
      FailedRecord record =
          new FailedRecord(
              TOPIC,
              0,
              OFFSET.getAndIncrement(),
              original,
              utf8("v"),
              List.of(FailedRecord.Header.of("keel-event-id", UUID.randomUUID().toString())));
      RedactedKey key = RedactedKey.of(redactor, record);
      DeadLetter stored = store.insert(deadLetter(record, key), true).letter();

      DeadLetter read = store.get(stored.id()).orElseThrow();
      assertThat(read.key()).as("STORED_AS_RETURNED %s", where).isEqualTo(expected);
      assertThat(read.keyRedacted()).as("FLAGGED %s", where).isEqualTo(changed);
      assertThat(keyText(store, stored.id())).as("KEY_TEXT %s", where).isEqualTo(text(expected));
      assertThat(store.isBlocked(GROUP, TOPIC, original))
          .as("BLOCKED_BY_ORIGINAL %s", where)
          .isTrue();

      ActionResult discarded = OPS.get(i).discard(DeadLetterQuery.byId(stored.id()), "fuzz");
      assertThat(discarded.records()).isEqualTo(1);
      assertThat(store.isBlocked(GROUP, TOPIC, original))
          .as("RELEASED_BY_DISCARD %s", where)
          .isFalse();
    }
  }

  /** What {@code key_text} must hold for a stored key. */
  private static String text(byte[] key) {
    if (key == null) {
      return null;
    }
    String plain = StoredText.plain(key);
    return plain != null && !plain.startsWith("base64:")
        ? plain
        : "base64:" + Base64.getEncoder().encodeToString(key);
  }

  private static String keyText(JdbcDeadLetterStore store, long id) throws SQLException {
    return store.read(
        c -> {
          try (PreparedStatement ps =
              c.prepareStatement("SELECT key_text FROM " + store.deadLetter + " WHERE id = ?")) {
            ps.setLong(1, id);
            try (ResultSet rs = ps.executeQuery()) {
              rs.next();
              return rs.getString(1);
            }
          }
        });
  }

  private static NewDeadLetter deadLetter(FailedRecord r, RedactedKey key) {
    Instant now = TestTime.start();
    return new NewDeadLetter(
        GROUP,
        r.topic(),
        r.partition(),
        r.offset(),
        key.key(),
        null,
        FailureClass.VALIDATION,
        "x.Poison",
        "poison",
        null,
        1,
        now,
        now,
        now,
        r.headers(),
        r.value(),
        null,
        null,
        null,
        key.hash(),
        key.redacted());
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
