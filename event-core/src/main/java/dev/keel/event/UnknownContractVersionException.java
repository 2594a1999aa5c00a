package dev.keel.event;

/**
 * An event names a contract version that is not registered. Class {@link
 * FailureClass#CONTRACT_VERSION}.
 */
public class UnknownContractVersionException extends NonRetriableKeelException {
  private static final long serialVersionUID = 1L;

  /**
   * @param message names the event type, the version and the known versions
   */
  public UnknownContractVersionException(String message) {
    super(FailureClass.CONTRACT_VERSION, message);
  }
}
