package dev.keel.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The {@code keel} command itself: its version, its help and its exit-code table. */
class KeelCliTest {
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int keel(String... args) {
    return KeelCli.run(new PrintWriter(out), new PrintWriter(err), Map.of(), args);
  }

  @Test
  void theVersionIsTheBuilds() {
    String built = System.getProperty("keel.project.version");
    assertThat(built).as("set by the build (surefire)").isNotBlank();
    assertThat(keel("--version")).isZero();
    assertThat(out.toString().trim()).isEqualTo("keel " + built);
  }

  @Test
  void theHelpListsEverySubcommandAndTheExitCodeTable() {
    assertThat(keel("--help")).isZero();
    assertThat(out.toString()).contains("dlq", "saga", "outbox", "advisor", "Exit codes:");
    ExitCodes.table()
        .forEach((code, meaning) -> assertThat(out.toString()).contains(code).contains(meaning));
  }

  @Test
  void withoutASubcommandItIsAUsageError() {
    assertThat(keel()).isEqualTo(ExitCodes.USAGE);
    assertThat(err.toString()).contains("keel dlq", "keel outbox");
    assertThat(keel("dlq", "list", "--no-such-flag")).isEqualTo(ExitCodes.USAGE);
  }

  @Test
  void withoutADatabaseTheErrorNamesTheFlagAndTheVariable() {
    assertThat(keel("saga", "list")).isEqualTo(ExitCodes.USAGE);
    assertThat(err.toString()).contains("--jdbc-url", "KEEL_JDBC_URL");
    assertThat(keel("outbox", "status", "--jdbc-url", "jdbc:postgresql://127.0.0.1:1/app"))
        .isEqualTo(ExitCodes.USAGE);
    assertThat(err.toString()).contains("no database user", "--db-user", "KEEL_DB_USER");
  }

  @Test
  void anUnreachableDatabaseIsExitCode3AndSaysWhereAndAsWhom() {
    int code =
        keel(
            "outbox",
            "status",
            "--jdbc-url",
            "jdbc:postgresql://127.0.0.1:1/app?connectTimeout=1",
            "--db-user",
            "ops");
    assertThat(code).as(err.toString()).isEqualTo(ExitCodes.UNAVAILABLE);
    assertThat(err.toString())
        .contains("cannot reach the database at", "\"ops\" from --db-user", "KEEL_JDBC_URL");
  }
}
