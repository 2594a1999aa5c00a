package dev.keel.outbox.lean;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * The outbox works with none of its optional dependencies: an application that uses plain JDBC
 * needs no jOOQ, and one that passes its own data source needs no HikariCP (issue #18).
 */
class LeanClassPathTest {

  // Enable when event-core no longer needs jOOQ to quote names (issue #18's persistence layer):
  // until then SchemaInstaller and TableNames fail with NoClassDefFoundError org/jooq/QueryPart.
  @Test
  void appendsThroughPlainJdbcWithoutJooq() throws Exception {
    try (HidingClassPath cp = new HidingClassPath(HidingClassPath.JOOQ)) {
      assertThat(cp.sees("org.jooq.DSLContext")).isFalse();
      assertThat(cp.sees("dev.keel.outbox.Outbox")).isTrue();

      assertThat(cp.run(LeanOutboxApp.AppendThroughJdbc.class, 2)).isEqualTo(2);
    }
  }

  @Test
  void jdbcUrlWithoutHikariFailsWithAConfigurationErrorNamingTheMethod() throws Exception {
    try (HidingClassPath cp = new HidingClassPath(HidingClassPath.HIKARI)) {
      assertThat(cp.sees("com.zaxxer.hikari.HikariDataSource")).isFalse();

      assertThat(cp.run(LeanOutboxApp.RelayFromJdbcUrl.class, "127.0.0.1:1"))
          .startsWith("dev.keel.event.KeelConfigurationException: ")
          .contains("OutboxRelay.jdbcUrl needs HikariCP", "com.zaxxer:HikariCP", "dataSource");
    }
  }
}
