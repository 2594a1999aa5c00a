package dev.keel.outbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.keel.test.IsolatedDatabase;
import dev.keel.test.KafkaBroker;
import dev.keel.test.KeelTest;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Lanes spread evenly over the instances that join, and come back when one leaves. */
@KeelTest
class RelayMembershipIT {

  @Test
  void lanesRebalanceWhenInstancesJoinAndLeave(KafkaBroker broker, IsolatedDatabase db)
      throws Exception {
    try (OutboxRelay a = OutboxFixture.relay(db.dataSource(), broker).instanceId("a").build()) {
      a.start();
      await().atMost(Duration.ofSeconds(20)).until(() -> a.ownedLanes().size() == 8);
      try (OutboxRelay b = OutboxFixture.relay(db.dataSource(), broker).instanceId("b").build()) {
        b.start();
        await()
            .atMost(Duration.ofSeconds(30))
            .until(() -> a.ownedLanes().size() == 4 && b.ownedLanes().size() == 4);
        Set<Integer> all = new HashSet<>(a.ownedLanes());
        all.addAll(b.ownedLanes());
        assertThat(all).hasSize(8);
      }
      // A graceful close hands its leases back at once rather than letting them expire.
      assertThat(ownersOf(db)).doesNotContain("b");
      await().atMost(Duration.ofSeconds(30)).until(() -> a.ownedLanes().size() == 8);
    }
    assertThat(ownersOf(db)).isEmpty();
  }

  private static Set<String> ownersOf(IsolatedDatabase db) throws Exception {
    Set<String> owners = new HashSet<>();
    try (Connection c = db.dataSource().getConnection();
        Statement st = c.createStatement();
        ResultSet rs =
            st.executeQuery("select owner from keel_outbox_lease where owner is not null")) {
      while (rs.next()) {
        owners.add(rs.getString(1));
      }
    }
    return owners;
  }
}
