package dev.keel.test;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.SQLException;
import org.junit.jupiter.api.Test;

/** Runs only where Docker exists; elsewhere JUnit reports it skipped with the reason. */
@KeelContainers
class ContainersIT {

  @Test
  void containersStart(KafkaBroker broker, IsolatedDatabase db, Topics topics) throws SQLException {
    assertThat(broker.describe()).contains("container");
    assertThat(topics.create("c", 1)).startsWith("c-");
    try (Connection c = db.dataSource().getConnection()) {
      assertThat(c.isValid(5)).isTrue();
    }
  }
}
