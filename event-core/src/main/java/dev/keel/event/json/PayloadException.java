package dev.keel.event.json;

import dev.keel.event.FailureClass;
import dev.keel.event.NonRetriableKeelException;

/**
 * A payload could not be encoded or decoded. The message names the target type and the position,
 * never the payload's content. Poison of class {@link FailureClass#DESERIALIZATION} (or {@link
 * FailureClass#VALIDATION} for a payload over the size limit).
 */
public class PayloadException extends NonRetriableKeelException {
  private static final long serialVersionUID = 1L;

  /**
   * @param failureClass the taxonomy class
   * @param message names the type and the position
   */
  public PayloadException(FailureClass failureClass, String message) {
    super(failureClass, message);
  }
}
