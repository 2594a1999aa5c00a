package dev.keel.outbox;

import dev.keel.event.FailureClass;
import dev.keel.event.NonRetriableKeelException;

/**
 * An append was given a connection in auto-commit mode. The event row would commit on its own,
 * apart from the caller's business change (and {@code appendAll} row by row), so "both or neither"
 * would not hold. Thrown before anything is written: turn auto-commit off (or append inside a jOOQ
 * {@code transaction(...)}) and commit the business change and the events together.
 */
public class AutoCommitConnectionException extends NonRetriableKeelException {
  private static final long serialVersionUID = 1L;

  /**
   * @param message names the call and the fix
   */
  public AutoCommitConnectionException(String message) {
    super(FailureClass.VALIDATION, message);
  }
}
