package dev.keel.saga.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.event.sql.SchemaInstaller;
import dev.keel.test.DatabaseKind;
import dev.keel.test.IsolatedDatabase;
import dev.keel.test.KeelTest;
import dev.keel.test.TestTime;
import dev.keel.test.WithDatabase;
import dev.keel.test.ZoneJvm;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Instants are stored in UTC whatever the JVM's zone: one JVM at Asia/Tokyo writes a saga with a
 * deadline, a participant row and a dedupe row through Keel's stores; another at
 * America/Los_Angeles reads the same instants back, finds the saga due exactly at its deadline and
 * not a microsecond before, and expires the dedupe row exactly after its time. Two orchestrators in
 * different zones agree on every deadline.
 */
@KeelTest
class InstantZonesIT {

  @Test
  void postgres(IsolatedDatabase db) throws Exception {
    agree(db);
  }

  @Test
  void mariaDb(@WithDatabase(DatabaseKind.MARIADB) IsolatedDatabase db) throws Exception {
    agree(db);
  }

  private static void agree(IsolatedDatabase db) throws Exception {
    SchemaInstaller installer = SchemaInstaller.builder().dataSource(db.dataSource()).build();
    installer.install("saga");
    installer.install("consumer");
    Instant at = TestTime.start().plusNanos(654_321_000);
    UUID id = UUID.randomUUID();

    Map<String, String> written = run(db, "Asia/Tokyo", "write", at, id);
    assertThat(written).containsEntry("zone", "Asia/Tokyo").containsEntry("written", at.toString());

    Map<String, String> read = run(db, "America/Los_Angeles", "read", at, id);
    assertThat(read)
        .containsEntry("zone", "America/Los_Angeles")
        .containsEntry("deadline", at.toString())
        .containsEntry("dueJustBefore", "false")
        .containsEntry("dueAt", id.toString())
        .containsEntry("participantUpdatedAt", at.toString())
        .containsEntry("expiredAtCutoff", "0")
        .containsEntry("expiredJustAfter", "1");
  }

  private static Map<String, String> run(
      IsolatedDatabase db, String zone, String mode, Instant at, UUID id) throws Exception {
    return ZoneJvm.run(
        ZoneChild.class,
        zone,
        mode,
        db.jdbcUrl(),
        db.user(),
        db.password() == null ? "" : db.password(),
        at.toString(),
        id.toString());
  }
}
