package dev.keel.saga.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.event.sql.SchemaInstaller;
import dev.keel.test.DatabaseKind;
import dev.keel.test.IsolatedDatabase;
import dev.keel.test.KeelTest;
import dev.keel.test.TestTime;
import dev.keel.test.WithDatabase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
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
    Path log = Files.createTempFile("keel-zone-" + mode, ".log");
    Process child =
        new ProcessBuilder(
                List.of(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Duser.timezone=" + zone,
                    "-cp",
                    System.getProperty("java.class.path"),
                    ZoneChild.class.getName(),
                    mode,
                    db.jdbcUrl(),
                    db.user(),
                    db.password() == null ? "" : db.password(),
                    at.toString(),
                    id.toString()))
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    assertThat(child.waitFor(60, TimeUnit.SECONDS))
        .as("child %s ended; log in %s", mode, log)
        .isTrue();
    List<String> lines = Files.readAllLines(log);
    assertThat(child.exitValue()).as("child %s exit code; output %s", mode, lines).isZero();
    Map<String, String> out = new HashMap<>();
    for (String line : lines) {
      int eq = line.indexOf('=');
      if (eq > 0 && !line.contains(" ")) {
        out.put(line.substring(0, eq), line.substring(eq + 1));
      }
    }
    return out;
  }
}
