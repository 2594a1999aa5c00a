package dev.keel.event;

/**
 * The root of every exception Keel throws. Its subtypes say what the caller can do:
 *
 * <ul>
 *   <li>{@link RetriableKeelException}: the same call may succeed later;
 *   <li>{@link NonRetriableKeelException}: the input is poison, retrying cannot help;
 *   <li>{@link FatalKeelException}: the instance cannot go on and should be closed ({@link
 *       FailureClass#FATAL}, action {@link FailureAction#FAIL_FAST}).
 * </ul>
 *
 * Messages name the instance, the element (topic, lane, saga id) and the state, and never carry
 * payloads or secrets.
 */
public class KeelException extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final FailureClass failureClass;

  /**
   * @param failureClass where the failure sits in the taxonomy
   * @param message what went wrong, naming the element
   * @param cause the underlying exception, or null
   */
  public KeelException(FailureClass failureClass, String message, Throwable cause) {
    super(message, cause);
    this.failureClass = failureClass;
  }

  /**
   * @param failureClass where the failure sits in the taxonomy
   * @param message what went wrong, naming the element
   */
  public KeelException(FailureClass failureClass, String message) {
    this(failureClass, message, null);
  }

  /** Where this failure sits in the taxonomy. */
  public FailureClass failureClass() {
    return failureClass;
  }
}
