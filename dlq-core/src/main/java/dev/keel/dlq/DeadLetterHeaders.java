package dev.keel.dlq;

import dev.keel.event.EventHeaders;

/**
 * The {@code keel-dlq-*} headers of docs/design.md §5 and their bounded parsing. Inbound values are
 * untrusted: a record may arrive with forged dead-letter headers, so parses are bounded and
 * publishing replaces every inbound {@code keel-dlq-*} header rather than adding to them.
 *
 * <p>Thread-safe (stateless).
 */
public final class DeadLetterHeaders {
  /** Topic the record was consumed from. */
  public static final String ORIGINAL_TOPIC = EventHeaders.DLQ_PREFIX + "original-topic";

  /** Partition it was consumed from. */
  public static final String ORIGINAL_PARTITION = EventHeaders.DLQ_PREFIX + "original-partition";

  /** Offset it was consumed from. */
  public static final String ORIGINAL_OFFSET = EventHeaders.DLQ_PREFIX + "original-offset";

  /** The failure class tag, such as {@code transient} or {@code deserialization}. */
  public static final String REASON = EventHeaders.DLQ_PREFIX + "reason";

  /** The last error's class name. */
  public static final String EXCEPTION = EventHeaders.DLQ_PREFIX + "exception";

  /** The last error's message, bounded and redacted. */
  public static final String EXCEPTION_MESSAGE = EventHeaders.DLQ_PREFIX + "exception-message";

  /** The stack trace; only when enabled on the publisher. */
  public static final String STACK_TRACE = EventHeaders.DLQ_PREFIX + "stacktrace";

  /** The attempts made. */
  public static final String ATTEMPTS = EventHeaders.DLQ_PREFIX + "attempts";

  /** When the first attempt failed (ISO-8601). */
  public static final String FIRST_FAILURE = EventHeaders.DLQ_PREFIX + "first-failure";

  /** When the last attempt failed (ISO-8601). */
  public static final String LAST_FAILURE = EventHeaders.DLQ_PREFIX + "last-failure";

  /** The consumer group that failed. */
  public static final String GROUP = EventHeaders.DLQ_PREFIX + "group";

  /**
   * {@code true} on a dead letter whose key {@link dev.keel.dlq.spi.PayloadRedactor#redactKey}
   * changed: its key is not the record's key.
   */
  public static final String KEY_REDACTED = EventHeaders.DLQ_PREFIX + "key-redacted";

  /**
   * When a record in a delay tier is due (epoch millis), written by {@link RetryTiers}; advisory
   * only: the tier consumer bounds the wait by the tier's delay whatever this says.
   */
  public static final String DUE_AT = EventHeaders.DLQ_PREFIX + "due-at";

  /**
   * Set by a replay on every record it sends for a key blocked in ordered mode: the key's release
   * token and the record's place in the key's order ({@code <token>:d<dead letter id>} or {@code
   * <token>:p<parked record id>}). While the key is being released, a consumer in ordered mode
   * processes a record carrying the key's current token instead of parking it; a record with any
   * other value, or none, is parked as usual. Never stored with a dead letter.
   */
  public static final String RELEASE = EventHeaders.DLQ_PREFIX + "release";

  /** The longest stack trace header, in bytes. */
  public static final int MAX_STACK_TRACE_BYTES = 8 * 1024;

  private DeadLetterHeaders() {}

  /** Whether a header name is one of the dead-letter headers (any {@code keel-dlq-} name). */
  public static boolean isDeadLetterHeader(String name) {
    return name != null && name.startsWith(EventHeaders.DLQ_PREFIX);
  }

  /**
   * The attempts a record has already had according to its {@link #ATTEMPTS} header, bounded to
   * {@code [0, maxAttempts]}: missing, repeated, oversized, non-numeric or negative values give 0,
   * larger values give {@code maxAttempts} (so a forged count can only end retrying early, never
   * extend it).
   *
   * @param record the inbound record
   * @param maxAttempts the policy's limit for the record's class
   */
  public static int attempts(FailedRecord record, int maxAttempts) {
    String text = single(record, ATTEMPTS);
    if (text == null
        || text.isEmpty()
        || text.length() > 10
        || !text.chars().allMatch(ch -> ch >= '0' && ch <= '9')) {
      return 0;
    }
    long n = Long.parseLong(text);
    return (int) Math.min(n, Math.max(0, maxAttempts));
  }

  /**
   * The value of a header that appears exactly once with at most {@link
   * EventHeaders#MAX_VALUE_BYTES} bytes, or null otherwise.
   */
  static String single(FailedRecord record, String name) {
    return record.singleHeader(name);
  }
}
