package dev.keel.dlq;

import static dev.keel.dlq.testing.KafkaIo.utf8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.dlq.testing.KafkaIo;
import dev.keel.event.sql.SchemaInstaller;
import dev.keel.event.sql.SqlDialect;
import dev.keel.test.DatabaseKind;
import dev.keel.test.IsolatedDatabase;
import dev.keel.test.KafkaBroker;
import dev.keel.test.KeelTest;
import dev.keel.test.Topics;
import dev.keel.test.WithDatabase;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

/**
 * An installation made before key redaction (dlq scripts V1 and V2) gains the {@code key_redacted}
 * column on {@code install()}; its dead letters read as not redacted and replay as before, and its
 * blocked keys are still found.
 */
@KeelTest
class KeyRedactionMigrationIT {

  @Test
  void upgradesOnPostgres(KafkaBroker broker, Topics topics, IsolatedDatabase db) throws Exception {
    upgrades(broker, topics, db);
  }

  @Test
  void upgradesOnMariaDb(
      KafkaBroker broker, Topics topics, @WithDatabase(DatabaseKind.MARIADB) IsolatedDatabase db)
      throws Exception {
    upgrades(broker, topics, db);
  }

  @Test
  void upgradesOnH2(
      KafkaBroker broker, Topics topics, @WithDatabase(DatabaseKind.H2) IsolatedDatabase db)
      throws Exception {
    upgrades(broker, topics, db);
  }

  private void upgrades(KafkaBroker broker, Topics topics, IsolatedDatabase db) throws Exception {
    String topic = topics.create("legacy", 1);
    SchemaInstaller before =
        SchemaInstaller.builder().dataSource(db.dataSource()).classLoader(upToV2()).build();
    assertThat(before.install("dlq"))
        .containsExactly("V1__dead_letters.sql", "V2__variants_and_audit_outcome.sql");
    SqlDialect dialect = before.dialect();
    long id = legacyDeadLetter(db, dialect, topic);

    DeadLetterStore store = DeadLetterStore.builder().dataSource(db.dataSource()).build();
    store.install();
    assertThat(
            SchemaInstaller.builder().dataSource(db.dataSource()).build().installedVersion("dlq"))
        .isEqualTo(4);

    DeadLetter old = store.get(id).orElseThrow();
    assertThat(old.keyRedacted()).isFalse();
    assertThat(old.key()).isEqualTo(utf8("k-1"));
    assertThat(store.isBlocked("g", topic, utf8("k-1"))).isTrue();
    assertThat(store.find(DeadLetterQuery.builder().key("k-1").build())).hasSize(1);
    try (KafkaIo kafka = new KafkaIo(broker);
        DeadLetters ops =
            DeadLetters.builder()
                .store(store)
                .kafka(Map.copyOf(broker.clientProperties()))
                .build()) {
      ActionResult r = ops.replay(DeadLetterQuery.byId(id), "ops");
      assertThat(r.records()).isEqualTo(1);
      assertThat(r.refused()).isEmpty();
      List<ConsumerRecord<byte[], byte[]>> out = kafka.readAll(topic, 1);
      assertThat(out).singleElement().satisfies(c -> assertThat(c.key()).isEqualTo(utf8("k-1")));
      assertThat(store.isBlocked("g", topic, utf8("k-1"))).isFalse();
    }
  }

  /** A dead letter and its block as a V2 installation wrote them. */
  private static long legacyDeadLetter(IsolatedDatabase db, SqlDialect dialect, String topic)
      throws Exception {
    String hash =
        HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(utf8("k-1")));
    Instant now = dev.keel.test.TestTime.start();
    Object at =
        dialect.isMySqlFamily()
            ? LocalDateTime.ofInstant(now, ZoneOffset.UTC)
            : OffsetDateTime.ofInstant(now, ZoneOffset.UTC);
    String json = dialect == SqlDialect.POSTGRES ? "CAST(? AS jsonb)" : "?";
    try (Connection c = db.dataSource().getConnection()) {
      long id;
      try (PreparedStatement ps =
          c.prepareStatement(
              "INSERT INTO "
                  + dialect.quote("keel_dead_letter")
                  + " (consumer_group, topic, kafka_partition, kafka_offset,"
                  + " record_key, key_hash, key_text, reason, attempts, first_failure,"
                  + " last_failure, created_at, headers, payload, status) VALUES (?, ?, 0, 4, ?, ?,"
                  + " 'k-1', 'VALIDATION', 1, ?, ?, ?, "
                  + json
                  + ", ?, 'DEAD')",
              new String[] {"id"})) {
        ps.setString(1, "g");
        ps.setString(2, topic);
        ps.setBytes(3, utf8("k-1"));
        ps.setString(4, hash);
        ps.setObject(5, at);
        ps.setObject(6, at);
        ps.setObject(7, at);
        ps.setString(8, "[]");
        ps.setBytes(9, utf8("v"));
        ps.executeUpdate();
        try (var keys = ps.getGeneratedKeys()) {
          keys.next();
          id = keys.getLong(1);
        }
      }
      try (PreparedStatement ps =
          c.prepareStatement(
              "INSERT INTO "
                  + dialect.quote("keel_dlq_blocked_key")
                  + " (consumer_group, topic, key_hash, record_key,"
                  + " dead_letter_id, blocked_at) VALUES ('g', ?, ?, ?, ?, ?)")) {
        ps.setString(1, topic);
        ps.setString(2, hash);
        ps.setBytes(3, utf8("k-1"));
        ps.setLong(4, id);
        ps.setObject(5, at);
        ps.executeUpdate();
      }
      if (!c.getAutoCommit()) {
        c.commit();
      }
      return id;
    }
  }

  /** The dlq scripts as an installation before key redaction had them: V1 and V2 only. */
  private static ClassLoader upToV2() {
    return new ClassLoader(KeyRedactionMigrationIT.class.getClassLoader()) {
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
  }
}
