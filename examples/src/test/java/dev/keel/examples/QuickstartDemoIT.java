package dev.keel.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.test.IsolatedDatabase;
import dev.keel.test.KafkaBroker;
import dev.keel.test.KeelTest;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.api.Test;

/** The README's main command: committed orders are published once, the rolled-back one never. */
@KeelTest
class QuickstartDemoIT {

  @Test
  void demoPublishesExactlyTheCommittedEvents(KafkaBroker kafka, IsolatedDatabase db)
      throws Exception {
    kafka.createTopic(QuickstartDemo.TOPIC, 3);
    assertThat(QuickstartDemo.run(kafka, db.dataSource())).isZero();
    try (Connection c = db.dataSource().getConnection();
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("select count(*) from orders")) {
      rs.next();
      assertThat(rs.getInt(1)).isEqualTo(3);
    }
  }
}
