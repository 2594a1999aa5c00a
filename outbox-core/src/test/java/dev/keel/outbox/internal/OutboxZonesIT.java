package dev.keel.outbox.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.event.sql.SchemaInstaller;
import dev.keel.test.DatabaseKind;
import dev.keel.test.IsolatedDatabase;
import dev.keel.test.KeelTest;
import dev.keel.test.WithDatabase;
import dev.keel.test.ZoneJvm;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The outbox admin reads the instants the database stamped the same whatever the JVM's zone, and
 * ages rows against the database's clock: one JVM at Asia/Tokyo appends an event and quarantines a
 * copy through the relay's SQL; it and another JVM at America/Los_Angeles read the quarantined
 * row's times and the oldest waiting row's age through {@code OutboxAdmin}, whose clock runs a day
 * ahead. Both see the same instants, taken while the writer ran, and an age of seconds, not hours
 * (the zones' offset) nor a day (the skewed application clock). The relay's purge of published
 * rows, whose cutoff comes from the application's clock, keeps a row published seconds ago with a
 * cutoff a minute back in either zone, and takes it with a cutoff a minute ahead. H2, whose
 * databases live in one JVM, runs the same reads in the test's own.
 */
@KeelTest
class OutboxZonesIT {

  @Test
  void postgres(IsolatedDatabase db) throws Exception {
    agree(db);
  }

  @Test
  void mariaDb(@WithDatabase(DatabaseKind.MARIADB) IsolatedDatabase db) throws Exception {
    agree(db);
  }

  @Test
  void h2InOneJvm(@WithDatabase(DatabaseKind.H2) IsolatedDatabase db) throws Exception {
    SchemaInstaller.builder().dataSource(db.dataSource()).build().install("outbox");
    Instant before = Instant.now().minusSeconds(2);
    OutboxZoneChild.write(db.dataSource());
    Map<String, String> seen = OutboxZoneChild.read(db.dataSource(), true);
    Instant after = Instant.now().plusSeconds(2);
    assertThat(Instant.parse(seen.get("createdAt"))).isBetween(before, after);
    assertThat(Instant.parse(seen.get("quarantinedAt"))).isBetween(before, after);
    assertThat(Duration.parse(seen.get("oldestAge")))
        .isBetween(Duration.ZERO, Duration.between(before, Instant.now()));
    assertThat(seen).containsEntry("purgedMinuteAgo", "0").containsEntry("purgedMinuteAhead", "1");
  }

  private static void agree(IsolatedDatabase db) throws Exception {
    SchemaInstaller.builder().dataSource(db.dataSource()).build().install("outbox");
    Instant before = Instant.now().minusSeconds(2);
    Map<String, String> written = run(db, "Asia/Tokyo", "write");
    Instant after = Instant.now().plusSeconds(2);
    Map<String, String> read = run(db, "America/Los_Angeles", "read");

    assertThat(written).containsEntry("zone", "Asia/Tokyo");
    assertThat(read).containsEntry("zone", "America/Los_Angeles");
    Instant created = Instant.parse(written.get("createdAt"));
    Instant quarantined = Instant.parse(written.get("quarantinedAt"));
    assertThat(created).isBetween(before, after);
    assertThat(quarantined).isBetween(created, after);
    assertThat(read)
        .containsEntry("createdAt", created.toString())
        .containsEntry("quarantinedAt", quarantined.toString())
        .containsEntry("pending", "1")
        .containsEntry("purgedMinuteAhead", "1");
    // The row published seconds ago is younger than a minute in both zones.
    assertThat(written).containsEntry("purgedMinuteAgo", "0");
    assertThat(read).containsEntry("purgedMinuteAgo", "0");
    for (Map<String, String> seen : List.of(written, read)) {
      Duration age = Duration.parse(seen.get("oldestAge"));
      assertThat(age).isBetween(Duration.ZERO, Duration.between(before, Instant.now()));
    }
  }

  private static Map<String, String> run(IsolatedDatabase db, String zone, String mode)
      throws Exception {
    return ZoneJvm.run(
        OutboxZoneChild.class,
        zone,
        mode,
        db.jdbcUrl(),
        db.user(),
        db.password() == null ? "" : db.password());
  }
}
