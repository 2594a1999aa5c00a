package dev.keel.consumer;

import dev.keel.event.KeelConfigurationException;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Which value identifies an event for deduplication within a consumer group: {@code keel-event-id}
 * by default, or a business key from a header or from the JSON payload.
 *
 * <p>A business key lets two events with different ids but one business meaning (a retried upstream
 * request, say) have one effect. The value must be 1 to 255 characters; a record without it is
 * poison ({@code VALIDATION}) and goes to the dead-letter queue.
 *
 * <p>Immutable and thread-safe.
 */
public final class IdempotencyKey {
  private static final Pattern HEADER = Pattern.compile("[A-Za-z0-9._-]{1,255}");
  private static final Pattern FIELD = Pattern.compile("[A-Za-z_$][A-Za-z0-9_$]{0,127}");
  private static final IdempotencyKey EVENT_ID = new IdempotencyKey(Source.EVENT_ID, null);

  /** Where the key comes from. */
  public enum Source {
    /** The {@code keel-event-id} header. */
    EVENT_ID,
    /** A named record header. */
    HEADER,
    /** A field of the JSON payload (a dotted path). */
    PAYLOAD_FIELD
  }

  private final Source source;
  private final String name;

  private IdempotencyKey(Source source, String name) {
    this.source = source;
    this.name = name;
  }

  /** The default: {@code keel-event-id}. */
  public static IdempotencyKey eventId() {
    return EVENT_ID;
  }

  /**
   * A record header's UTF-8 value.
   *
   * @param name the header, such as {@code x-request-id}
   */
  public static IdempotencyKey header(String name) {
    if (name == null || !HEADER.matcher(name).matches()) {
      throw new KeelConfigurationException(
          "IdempotencyKey.header must match " + HEADER.pattern() + ", was " + name);
    }
    return new IdempotencyKey(Source.HEADER, name);
  }

  /**
   * A field of the JSON payload, as text; nested fields by dotted path ({@code order.id}).
   *
   * @param path field names joined by dots
   */
  public static IdempotencyKey payloadField(String path) {
    if (path == null || path.isEmpty()) {
      throw new KeelConfigurationException("IdempotencyKey.payloadField is required, was " + path);
    }
    for (String part : path.split("\\.", -1)) {
      if (!FIELD.matcher(part).matches()) {
        throw new KeelConfigurationException(
            "IdempotencyKey.payloadField must be field names joined by dots, was " + path);
      }
    }
    return new IdempotencyKey(Source.PAYLOAD_FIELD, path);
  }

  /**
   * Parses the annotation form: empty for the event id, {@code header:<name>} or {@code
   * payload:<path>}.
   *
   * @param spec the annotation value
   */
  public static IdempotencyKey parse(String spec) {
    if (spec == null || spec.isEmpty()) {
      return EVENT_ID;
    }
    if (spec.startsWith("header:")) {
      return header(spec.substring("header:".length()));
    }
    if (spec.startsWith("payload:")) {
      return payloadField(spec.substring("payload:".length()));
    }
    throw new KeelConfigurationException(
        "idempotencyKey must be empty, header:<name> or payload:<field>, was " + spec);
  }

  /** Where the key comes from. */
  public Source source() {
    return source;
  }

  /** The header name or payload path; null for {@link Source#EVENT_ID}. */
  public String name() {
    return name;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof IdempotencyKey
        && ((IdempotencyKey) o).source == source
        && Objects.equals(((IdempotencyKey) o).name, name);
  }

  @Override
  public int hashCode() {
    return source.hashCode() * 31 + Objects.hashCode(name);
  }

  @Override
  public String toString() {
    switch (source) {
      case HEADER:
        return "header:" + name;
      case PAYLOAD_FIELD:
        return "payload:" + name;
      default:
        return "keel-event-id";
    }
  }
}
