package dev.keel.event;

/**
 * An inbound record does not follow Keel's header contract (missing, duplicated, oversized or
 * unparsable {@code keel-*} header). Poison of class {@link FailureClass#DESERIALIZATION}.
 */
public class MalformedEventException extends NonRetriableKeelException {
  private static final long serialVersionUID = 1L;
  private final String header;

  /**
   * @param header the offending header name, or null when the record as a whole is malformed
   * @param message what is wrong, naming topic, partition and offset
   */
  public MalformedEventException(String header, String message) {
    super(FailureClass.DESERIALIZATION, message);
    this.header = header;
  }

  /** The offending header, or null. */
  public String header() {
    return header;
  }
}
