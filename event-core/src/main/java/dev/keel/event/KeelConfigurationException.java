package dev.keel.event;

/**
 * A builder or annotation was given a value it cannot accept. The message names the property and
 * the value (with control characters escaped), for example {@code "OutboxRelay.lanes must be
 * between 1 and 4096, was 0"}.
 */
public class KeelConfigurationException extends NonRetriableKeelException {
  private static final long serialVersionUID = 1L;

  /**
   * @param message names the property, the rule and the rejected value
   */
  public KeelConfigurationException(String message) {
    super(FailureClass.VALIDATION, message);
  }

  /**
   * @param message names the property, the rule and the rejected value
   * @param cause what revealed the problem, or null
   */
  public KeelConfigurationException(String message, Throwable cause) {
    super(FailureClass.VALIDATION, message, cause);
  }
}
