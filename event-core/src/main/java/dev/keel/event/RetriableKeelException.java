package dev.keel.event;

/**
 * A failure that may pass: the same call can succeed later (class {@link FailureClass#TRANSIENT}).
 */
public class RetriableKeelException extends KeelException {
  private static final long serialVersionUID = 1L;

  /**
   * @param message what went wrong, naming the element
   * @param cause the underlying exception, or null
   */
  public RetriableKeelException(String message, Throwable cause) {
    super(FailureClass.TRANSIENT, message, cause);
  }

  /**
   * @param message what went wrong, naming the element
   */
  public RetriableKeelException(String message) {
    this(message, null);
  }
}
