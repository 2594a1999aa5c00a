package dev.keel.outbox;

import dev.keel.event.FailureClass;
import dev.keel.event.NonRetriableKeelException;

/**
 * An event was refused at append: payload over the limit, missing key on a keyed topic, a topic the
 * outbox does not allow. Thrown before anything is written, inside the caller's transaction, so the
 * caller decides whether to roll back.
 */
public class InvalidEventException extends NonRetriableKeelException {
  private static final long serialVersionUID = 1L;

  /**
   * @param message names the event, the topic and the rule
   */
  public InvalidEventException(String message) {
    super(FailureClass.VALIDATION, message);
  }
}
