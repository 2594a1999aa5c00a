package dev.keel.outbox;

import static dev.keel.outbox.OutboxFixture.event;
import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.event.sql.SchemaInstaller;
import dev.keel.test.IsolatedDatabase;
import dev.keel.test.KeelTest;
import java.sql.Connection;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

/**
 * PostgreSQL: an append notifies the relays' channel at commit unless {@code keel.outbox_notify} is
 * {@code off} for the appending session (set per database, role or session).
 */
@KeelTest
class NotifySwitchIT {

  @Test
  void appendsNotifyUnlessTheSettingIsOff(IsolatedDatabase db) throws Exception {
    SchemaInstaller.builder().dataSource(db.dataSource()).build().install("outbox");
    Outbox outbox = Outbox.builder().build();
    try (Connection listener = db.dataSource().getConnection();
        Connection quiet = db.dataSource().getConnection();
        Connection loud = db.dataSource().getConnection()) {
      listener.setAutoCommit(true);
      try (Statement st = listener.createStatement()) {
        st.execute("LISTEN keel_outbox");
      }
      try (Statement st = quiet.createStatement()) {
        st.execute("SET keel.outbox_notify = 'off'");
      }
      for (Connection c : List.of(quiet, loud)) {
        c.setAutoCommit(false);
      }
      outbox.append(quiet, event("orders", "k", "{}"));
      quiet.commit(); // first: any notification of it comes before the loud one's
      outbox.append(loud, event("orders", "k", "{}"));
      loud.commit();

      List<PGNotification> received = new ArrayList<>();
      PGConnection pg = listener.unwrap(PGConnection.class);
      long deadline = System.nanoTime() + 30_000_000_000L;
      while (received.isEmpty() && System.nanoTime() < deadline) {
        PGNotification[] n = pg.getNotifications(1000);
        if (n != null) {
          received.addAll(List.of(n));
        }
      }
      // Notifications arrive in commit order: once the loud commit's is here, the quiet one's
      // would be too.
      assertThat(received).hasSize(1);
      assertThat(received.get(0).getName()).isEqualTo("keel_outbox");
    }
  }
}
