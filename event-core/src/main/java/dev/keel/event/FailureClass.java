package dev.keel.event;

/**
 * The one failure taxonomy shared by the relay, consumers and saga steps. Each class has a default
 * {@link FailureAction}; retry policies may override it per class, except {@link #FATAL}, which
 * always fails fast.
 */
public enum FailureClass {
  /** The bytes could not be turned into an event or payload; retrying cannot help. */
  DESERIALIZATION(FailureAction.DEAD_LETTER),
  /** The event's contract version is unknown to this consumer. */
  CONTRACT_VERSION(FailureAction.DEAD_LETTER),
  /** The event decoded but its content breaks a rule of the contract or the handler. */
  VALIDATION(FailureAction.DEAD_LETTER),
  /** A passing condition: timeout, lost connection, unavailable broker, lock conflict. */
  TRANSIENT(FailureAction.RETRY),
  /** The business refused the event (insufficient funds, unknown order). */
  BUSINESS(FailureAction.DEAD_LETTER),
  /** Anything not classified; retried within the budget, then dead-lettered. */
  UNKNOWN(FailureAction.RETRY),
  /**
   * The instance cannot go on (a fenced relay, a schema that does not match, refused credentials):
   * the class of every {@link FatalKeelException}. Retrying or dead-lettering cannot help; the
   * component stops.
   */
  FATAL(FailureAction.FAIL_FAST);

  private final FailureAction defaultAction;

  FailureClass(FailureAction defaultAction) {
    this.defaultAction = defaultAction;
  }

  /** The action taken for this class unless a policy says otherwise. */
  public FailureAction defaultAction() {
    return defaultAction;
  }

  /** The lower-case name used in headers, tags and logs, such as {@code contract_version}. */
  public String tag() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
