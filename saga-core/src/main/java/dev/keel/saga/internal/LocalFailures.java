package dev.keel.saga.internal;

import dev.keel.event.FailureClass;
import dev.keel.event.KeelException;
import dev.keel.event.support.SqlStates;

/**
 * How the exception of a local action or compensation is classified and recorded. A database error
 * of SQLState class 22 (data exception: a value too long, U+0000 in text, an invalid number) is
 * permanent ({@code VALIDATION}) wherever it is in the cause chain, also beneath a {@code
 * TRANSIENT} {@link KeelException}: the same data fails the same way on every attempt. Otherwise a
 * {@link KeelException} keeps its class and anything else is {@code TRANSIENT}.
 */
final class LocalFailures {
  private static final int MAX_REASON = 2000;

  private LocalFailures() {}

  /** The class of a local action's failure, for the step's failure policy. */
  static FailureClass ofAction(Exception e) {
    if (e instanceof KeelException ke && ke.failureClass() != null) {
      FailureClass carried = ke.failureClass();
      return carried == FailureClass.TRANSIENT && SqlStates.dataExceptionIn(e.getCause())
          ? FailureClass.VALIDATION
          : carried;
    }
    return SqlStates.dataExceptionIn(e) ? FailureClass.VALIDATION : FailureClass.TRANSIENT;
  }

  /**
   * The class of a local compensation's failure, for the definition's compensation retry policy:
   * {@code VALIDATION} for a data exception, otherwise {@code TRANSIENT} (compensations are retried
   * whatever else failed them).
   */
  static FailureClass ofCompensation(Exception e) {
    return SqlStates.dataExceptionIn(e) ? FailureClass.VALIDATION : FailureClass.TRANSIENT;
  }

  /**
   * The reason stored in the step log and the saga row: the exception's simple class name, the
   * SQLState of the database error in its causes when there is one, and its message, with control
   * characters and lone surrogates replaced (a database message may echo the refused value) and cut
   * to 2000 characters.
   */
  static String reason(Exception e) {
    String sqlState = SqlStates.sqlStateIn(e);
    String state = sqlState == null ? "" : " (SQLState " + sqlState + ")";
    return SagaText.clean(e.getClass().getSimpleName() + state + ": " + e.getMessage(), MAX_REASON);
  }
}
