package dev.keel.event.support;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.SQLException;
import org.junit.jupiter.api.Test;

/** SQLState class 22 is found by state, anywhere in a bounded cause chain. */
class SqlStatesTest {

  @Test
  void classTwentyTwoIsADataException() {
    assertThat(SqlStates.isDataException("22001")).isTrue();
    assertThat(SqlStates.isDataException("22P02")).isTrue();
    assertThat(SqlStates.isDataException("22021")).isTrue();
    assertThat(SqlStates.isDataException("40001")).isFalse();
    assertThat(SqlStates.isDataException("23505")).isFalse();
    assertThat(SqlStates.isDataException("2")).isFalse();
    assertThat(SqlStates.isDataException(null)).isFalse();
  }

  @Test
  void theCauseChainIsSearchedWithoutLoopingOnACycle() {
    SQLException tooLong = new SQLException("value too long", "22001");
    assertThat(SqlStates.dataExceptionIn(tooLong)).isTrue();
    assertThat(SqlStates.dataExceptionIn(new IllegalStateException("wrapped", tooLong))).isTrue();
    assertThat(SqlStates.dataExceptionIn(new SQLException("conflict", "40001"))).isFalse();
    assertThat(SqlStates.dataExceptionIn(new SQLException("no state"))).isFalse();
    assertThat(SqlStates.dataExceptionIn(null)).isFalse();

    RuntimeException a = new RuntimeException("a");
    RuntimeException b = new RuntimeException("b", a);
    a.initCause(b);
    assertThat(SqlStates.dataExceptionIn(a)).isFalse();

    Throwable deep = tooLong;
    for (int i = 0; i < 40; i++) {
      deep = new RuntimeException("level " + i, deep);
    }
    assertThat(SqlStates.dataExceptionIn(deep)).as("beyond 32 levels").isFalse();
  }

  @Test
  void theOutermostStateIsReported() {
    SQLException tooLong = new SQLException("value too long", "22001");
    assertThat(SqlStates.sqlStateIn(new IllegalStateException("wrapped", tooLong)))
        .isEqualTo("22001");
    assertThat(SqlStates.sqlStateIn(new SQLException("outer", "40001", tooLong)))
        .isEqualTo("40001");
    assertThat(SqlStates.sqlStateIn(new SQLException("no state", tooLong))).isEqualTo("22001");
    assertThat(SqlStates.sqlStateIn(new IllegalStateException("none"))).isNull();
    assertThat(SqlStates.sqlStateIn(null)).isNull();
  }

  @Test
  void missingTableStatesOfEachDatabase() {
    assertThat(SqlStates.isUndefinedTable("42P01")).isTrue(); // PostgreSQL
    assertThat(SqlStates.isUndefinedTable("42S02")).isTrue(); // MySQL, MariaDB, H2
    assertThat(SqlStates.isUndefinedTable("42S04")).isTrue(); // H2, empty database
    assertThat(SqlStates.isUndefinedTable("42703")).isFalse(); // undefined column
    assertThat(SqlStates.isUndefinedTable(null)).isFalse();
    SQLException missing = new SQLException("relation \"keel_outbox\" does not exist", "42P01");
    assertThat(SqlStates.undefinedTableIn(new IllegalStateException("wrapped", missing))).isTrue();
    assertThat(SqlStates.undefinedTableIn(new SQLException("conflict", "40001"))).isFalse();
  }
}
