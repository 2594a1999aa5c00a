package dev.keel.event;

import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The W3C {@code traceparent} of the work running on the current thread, so that trace context
 * flows from a consumed event to the events its handler appends: the consumer runtime opens a scope
 * with the inbound event's {@code traceparent} around each handler call, and the outbox stores a
 * child of it ({@link #child}: same trace id, new span id) with every appended event that has none
 * of its own. Applications with their own tracer can open a scope around a business transaction the
 * same way.
 *
 * <pre>{@code
 * try (TraceContext.Scope s = TraceContext.open(request.header("traceparent"))) {
 *   outbox.append(connection, event);   // stored with a child of the request's trace
 * }
 * }</pre>
 *
 * <p>Thread-confined: a scope belongs to the thread that opened it and must be closed there.
 */
public final class TraceContext {
  private static final Pattern TRACEPARENT =
      Pattern.compile("[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}");
  private static final String INVALID_TRACE_ID = "0".repeat(32);
  private static final String INVALID_SPAN_ID = "0".repeat(16);
  private static final ThreadLocal<String> CURRENT = new ThreadLocal<>();
  private static final SecureRandom RANDOM = new SecureRandom();

  private TraceContext() {}

  /** The {@code traceparent} of the innermost open scope on this thread, if any. */
  public static Optional<String> current() {
    return Optional.ofNullable(CURRENT.get());
  }

  /**
   * Makes {@code traceparent} current on this thread until the scope is closed. A null or malformed
   * value (it comes from a header: untrusted) opens a scope with no trace, so that an outer trace
   * does not leak into unrelated work.
   *
   * @param traceparent a W3C {@code traceparent}, or null
   * @return the scope; close it on the same thread to restore the previous context
   */
  public static Scope open(String traceparent) {
    String previous = CURRENT.get();
    String value = isValid(traceparent) ? traceparent : null;
    if (value == null) {
      CURRENT.remove();
    } else {
      CURRENT.set(value);
    }
    return new Scope(previous);
  }

  /**
   * Whether a value is a well-formed {@code traceparent} with a non-zero trace id and span id
   * (version {@code ff} is invalid).
   *
   * @param traceparent any string, or null
   */
  public static boolean isValid(String traceparent) {
    return traceparent != null
        && TRACEPARENT.matcher(traceparent).matches()
        && !traceparent.startsWith("ff")
        && !traceparent.substring(3, 35).equals(INVALID_TRACE_ID)
        && !traceparent.substring(36, 52).equals(INVALID_SPAN_ID);
  }

  /**
   * A child of {@code parent}: the same version, trace id and flags, and a new random span id.
   *
   * @param parent a valid {@code traceparent}
   * @throws IllegalArgumentException when {@code parent} is not valid
   */
  public static String child(String parent) {
    if (!isValid(parent)) {
      throw new IllegalArgumentException(
          "Not a valid traceparent"
              + (parent == null ? " (null)" : " (" + parent.length() + " chars)"));
    }
    byte[] span = new byte[8];
    String hex;
    do {
      RANDOM.nextBytes(span);
      hex = HexFormat.of().formatHex(span);
    } while (hex.equals(INVALID_SPAN_ID));
    return parent.substring(0, 36) + hex + parent.substring(52);
  }

  /** An open trace scope; {@link #close()} restores the context that was current before it. */
  public static final class Scope implements AutoCloseable {
    private final String previous;
    private boolean closed;

    private Scope(String previous) {
      this.previous = previous;
    }

    @Override
    public void close() {
      if (closed) {
        return;
      }
      closed = true;
      if (previous == null) {
        CURRENT.remove();
      } else {
        CURRENT.set(previous);
      }
    }
  }
}
