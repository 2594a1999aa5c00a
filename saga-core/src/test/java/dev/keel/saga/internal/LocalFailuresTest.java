package dev.keel.saga.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.event.FailureClass;
import dev.keel.event.NonRetriableKeelException;
import dev.keel.event.RetriableKeelException;
import java.sql.SQLException;
import org.junit.jupiter.api.Test;

/** How a local step's exception is classified and described (the database cases are in ITs). */
class LocalFailuresTest {
  private static final SQLException TOO_LONG =
      new SQLException("value too long for type character varying(5)", "22001");

  @Test
  void aDataExceptionIsPermanentWhereverItIsInTheCauseChain() {
    assertThat(LocalFailures.ofAction(TOO_LONG)).isEqualTo(FailureClass.VALIDATION);
    assertThat(LocalFailures.ofAction(new IllegalStateException("jOOQ-like wrapper", TOO_LONG)))
        .isEqualTo(FailureClass.VALIDATION);
    assertThat(LocalFailures.ofAction(new RetriableKeelException("said transient", TOO_LONG)))
        .as("a transient wrapper of a data exception would retry it to no end")
        .isEqualTo(FailureClass.VALIDATION);
    assertThat(LocalFailures.ofCompensation(new IllegalStateException("wrapped", TOO_LONG)))
        .isEqualTo(FailureClass.VALIDATION);
  }

  @Test
  void otherFailuresKeepTheirClassOrAreTransient() {
    assertThat(LocalFailures.ofAction(new SQLException("could not serialize", "40001")))
        .isEqualTo(FailureClass.TRANSIENT);
    assertThat(LocalFailures.ofAction(new IllegalStateException("boom")))
        .isEqualTo(FailureClass.TRANSIENT);
    assertThat(
            LocalFailures.ofAction(
                new NonRetriableKeelException(FailureClass.BUSINESS, "refused", TOO_LONG)))
        .isEqualTo(FailureClass.BUSINESS);
    assertThat(
            LocalFailures.ofCompensation(
                new NonRetriableKeelException(FailureClass.BUSINESS, "refused")))
        .as("compensations are retried whatever else failed them")
        .isEqualTo(FailureClass.TRANSIENT);
  }

  @Test
  void theReasonNamesTheSqlStateAndLosesControlCharacters() {
    SQLException echoing =
        new SQLException("invalid input syntax for type integer: \"1\u001b[2J\u0000\"", "22P02");
    assertThat(LocalFailures.reason(new IllegalStateException("wrapped: " + echoing, echoing)))
        .isEqualTo(
            "IllegalStateException (SQLState 22P02): wrapped: java.sql.SQLException: invalid input"
                + " syntax for type integer: \"1 [2J \"");
    assertThat(LocalFailures.reason(new IllegalStateException("x".repeat(5000)))).hasSize(2000);
  }
}
