package dev.keel.test.internal;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keel.test.DatabaseKind;
import org.junit.jupiter.api.Test;

class JdbcServerTest {

  @Test
  void postgresRejectsAUrlOfAnotherEngine() {
    assertThatThrownBy(
            () ->
                JdbcServer.external(
                    DatabaseKind.POSTGRES,
                    "jdbc:mysql://127.0.0.1:3306/test?user=root&password=secret",
                    "KEEL_JDBC_URL"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("KEEL_JDBC_URL names a POSTGRES server")
        .hasMessageContaining("must start with jdbc:postgresql:")
        .hasMessageContaining("password=***")
        .hasMessageNotContaining("secret");
    assertThatThrownBy(
            () ->
                JdbcServer.requireUrlOf(
                    DatabaseKind.POSTGRES, "jdbc:mariadb://h/test", "KEEL_JDBC_URL"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void mariaDbAcceptsMariaDbAndMySqlUrlsOnly() {
    assertThatCode(
            () ->
                JdbcServer.requireUrlOf(
                    DatabaseKind.MARIADB, "jdbc:mariadb://h/test", "KEEL_MARIADB_URL"))
        .doesNotThrowAnyException();
    assertThatCode(
            () ->
                JdbcServer.requireUrlOf(
                    DatabaseKind.MARIADB, "jdbc:mysql://h/test", "KEEL_MARIADB_URL"))
        .doesNotThrowAnyException();
    assertThatThrownBy(
            () ->
                JdbcServer.requireUrlOf(
                    DatabaseKind.MARIADB, "jdbc:postgresql://h/test", "KEEL_MARIADB_URL"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("KEEL_MARIADB_URL names a MARIADB server")
        .hasMessageContaining("jdbc:mariadb: or jdbc:mysql:");
  }

  @Test
  void postgresAcceptsAPostgresUrl() {
    assertThatCode(
            () ->
                JdbcServer.requireUrlOf(
                    DatabaseKind.POSTGRES, "jdbc:postgresql://h:5432/db", "KEEL_JDBC_URL"))
        .doesNotThrowAnyException();
  }
}
