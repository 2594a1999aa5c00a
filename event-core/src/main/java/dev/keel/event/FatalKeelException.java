package dev.keel.event;

/**
 * The instance cannot go on (a fenced relay, a schema that does not match, credentials refused):
 * close it and fix the cause. Its class is {@link FailureClass#FATAL}, whose action is {@link
 * FailureAction#FAIL_FAST}, so a classifier that walks a cause chain stops the component too.
 */
public class FatalKeelException extends KeelException {
  private static final long serialVersionUID = 1L;

  /**
   * @param message what went wrong, naming the instance and element
   * @param cause the underlying exception, or null
   */
  public FatalKeelException(String message, Throwable cause) {
    super(FailureClass.FATAL, message, cause);
  }

  /**
   * @param message what went wrong, naming the instance and element
   */
  public FatalKeelException(String message) {
    this(message, null);
  }
}
