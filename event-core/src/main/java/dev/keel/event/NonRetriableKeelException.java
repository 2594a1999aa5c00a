package dev.keel.event;

/** Poison: the input itself is wrong, and retrying the same input cannot succeed. */
public class NonRetriableKeelException extends KeelException {
  private static final long serialVersionUID = 1L;

  /**
   * @param failureClass a class other than {@link FailureClass#TRANSIENT}
   * @param message what went wrong, naming the element
   * @param cause the underlying exception, or null
   */
  public NonRetriableKeelException(FailureClass failureClass, String message, Throwable cause) {
    super(requireNotTransient(failureClass), message, cause);
  }

  /**
   * @param failureClass a class other than {@link FailureClass#TRANSIENT}
   * @param message what went wrong, naming the element
   */
  public NonRetriableKeelException(FailureClass failureClass, String message) {
    this(failureClass, message, null);
  }

  private static FailureClass requireNotTransient(FailureClass c) {
    if (c == FailureClass.TRANSIENT) {
      throw new IllegalArgumentException("A non-retriable failure cannot be TRANSIENT");
    }
    return c;
  }
}
