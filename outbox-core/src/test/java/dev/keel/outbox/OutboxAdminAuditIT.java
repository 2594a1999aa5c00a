package dev.keel.outbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keel.event.KeelConfigurationException;
import dev.keel.event.sql.SchemaInstaller;
import dev.keel.test.DatabaseKind;
import dev.keel.test.IsolatedDatabase;
import dev.keel.test.KeelTest;
import dev.keel.test.WithDatabase;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * Outbox operator actions are attributed and on record: with a verified-actor supplier the audit
 * holds the supplier's identity and a caller cannot claim another; without one the declared actor
 * is required; a refused action writes nothing, not even its audit row.
 */
@KeelTest
class OutboxAdminAuditIT {

  @Test
  void postgres(IsolatedDatabase db) {
    actionsAreAttributed(db);
  }

  @Test
  void mariaDb(@WithDatabase(DatabaseKind.MARIADB) IsolatedDatabase db) {
    actionsAreAttributed(db);
  }

  @Test
  void h2(@WithDatabase(DatabaseKind.H2) IsolatedDatabase db) {
    actionsAreAttributed(db);
  }

  private static void actionsAreAttributed(IsolatedDatabase db) {
    SchemaInstaller.builder().dataSource(db.dataSource()).build().install("outbox");
    Instant at = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    AtomicReference<String> session = new AtomicReference<>("ops:alice");
    OutboxAdmin verified =
        OutboxAdmin.builder()
            .dataSource(db.dataSource())
            .actor(session::get)
            .clock(Clock.fixed(at, ZoneOffset.UTC))
            .build();
    UUID id = UUID.randomUUID();

    assertThat(verified.discard(id, null)).isFalse();
    assertThat(verified.retry(id, "ops:alice")).isFalse(); // declaring the same identity is fine
    assertThatThrownBy(() -> verified.discard(id, "mallory"))
        .isInstanceOf(KeelConfigurationException.class)
        .hasMessageContaining("\"mallory\" is not the verified identity \"ops:alice\"");
    session.set(null);
    assertThatThrownBy(() -> verified.resumeLane(3, null))
        .isInstanceOf(KeelConfigurationException.class)
        .hasMessageContaining("refusing to act anonymously");

    OutboxAdmin declared =
        OutboxAdmin.create(db.dataSource(), dev.keel.event.sql.TableNames.defaults());
    assertThatThrownBy(() -> declared.discard(id, " "))
        .isInstanceOf(KeelConfigurationException.class)
        .hasMessageContaining("an actor is required");
    assertThat(declared.resumeLane(3, "bob")).isFalse();

    assertThat(declared.audit(10))
        .extracting(a -> a.actor() + " " + a.action() + " " + a.outcome())
        .containsExactly(
            "bob resume not stopped",
            "ops:alice retry not quarantined",
            "ops:alice discard not quarantined");
    OutboxAuditEntry first = declared.audit(10).get(2);
    assertThat(first.at()).isEqualTo(at);
    assertThat(first.eventId()).contains(id);
    assertThat(first.lane()).isEmpty();
    assertThat(declared.audit(10).get(0).lane()).contains(3);
    assertThatThrownBy(() -> declared.audit(0)).isInstanceOf(KeelConfigurationException.class);
  }
}
