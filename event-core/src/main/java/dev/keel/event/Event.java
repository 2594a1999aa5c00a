package dev.keel.event;

import dev.keel.event.internal.UuidV7;
import dev.keel.event.json.JsonCodec;
import dev.keel.event.json.PayloadException;
import dev.keel.event.support.Values;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * An immutable fact that happened, with its envelope: id, type, contract version, source, topic,
 * partition key, time, trace context, extra headers and payload bytes.
 *
 * <pre>{@code
 * Event event = Event.builder()
 *     .type("order.placed")
 *     .topic("orders")
 *     .key(orderId)
 *     .source("order-service")
 *     .contractVersion(1)
 *     .payloadJson(new OrderPlaced(orderId, total)) // or .payload(bytes), .payload(value, codec)
 *     .build();
 * }</pre>
 *
 * <p>The id is a time-ordered UUID assigned at build time (or given) and never changes: it is the
 * idempotency key downstream. Thread safety: immutable; {@link Builder} is not thread-safe.
 */
public final class Event {
  /** Event types: lower-case words joined by dots, dashes or underscores, at most 249 chars. */
  public static final Pattern TYPE_PATTERN = Pattern.compile("[a-z][a-z0-9]*(?:[._-][a-z0-9]+)*");

  private static final int MAX_TYPE_LENGTH = 249;
  private static final int MAX_TEXT_LENGTH = 255;
  private static final int MAX_KEY_BYTES = 16 * 1024;
  private static final Pattern TRACEPARENT =
      Pattern.compile("[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}");

  private static final String JSON = "application/json";

  private final UUID id;
  private final String type;
  private final int contractVersion;
  private final String source;
  private final String topic;
  private final String key;
  private final Instant occurredAt;
  private final String traceParent;
  private final Map<String, String> headers;
  private final byte[] payload;
  private final String contentType;

  private Event(Builder b) {
    this.id = b.id != null ? b.id : UuidV7.next(b.clock);
    this.type = b.type;
    this.contractVersion = b.contractVersion;
    this.source = b.source;
    this.topic = b.topic;
    this.key = b.key;
    this.occurredAt = b.occurredAt != null ? b.occurredAt : b.clock.instant();
    this.traceParent = b.traceParent;
    this.headers = Collections.unmodifiableMap(new LinkedHashMap<>(b.headers));
    this.payload = b.payload.clone();
    this.contentType = b.contentType;
  }

  /** A builder whose default time and id come from the UTC system clock. */
  public static Builder builder() {
    return new Builder(Clock.systemUTC());
  }

  /**
   * A builder whose default time and id come from the given clock.
   *
   * @param clock the clock for {@code occurredAt} and the time part of the id
   */
  public static Builder builder(Clock clock) {
    return new Builder(Objects.requireNonNull(clock, "clock"));
  }

  /** A builder that starts from this event; the id is kept unless replaced. */
  public Builder toBuilder() {
    Builder b = new Builder(Clock.systemUTC());
    b.id = id;
    b.type = type;
    b.contractVersion = contractVersion;
    b.source = source;
    b.topic = topic;
    b.key = key;
    b.occurredAt = occurredAt;
    b.traceParent = traceParent;
    b.headers.putAll(headers);
    b.payload = payload;
    b.contentType = contentType;
    return b;
  }

  /** The idempotency key, stable through retries, dead letters and replay. */
  public UUID id() {
    return id;
  }

  /** The business fact, such as {@code order.placed}. */
  public String type() {
    return type;
  }

  /** The contract version, at least 1. */
  public int contractVersion() {
    return contractVersion;
  }

  /** The producing service. */
  public String source() {
    return source;
  }

  /** The Kafka topic the event is (or was) published to. */
  public String topic() {
    return topic;
  }

  /** The partition key (aggregate id), or empty for an unkeyed event. */
  public Optional<String> key() {
    return Optional.ofNullable(key);
  }

  /** When the business fact happened. */
  public Instant occurredAt() {
    return occurredAt;
  }

  /** The W3C {@code traceparent} captured at append time, if any. */
  public Optional<String> traceParent() {
    return Optional.ofNullable(traceParent);
  }

  /** Headers beyond the envelope's own, in insertion order; unmodifiable. */
  public Map<String, String> headers() {
    return headers;
  }

  /** A copy of the payload bytes. */
  public byte[] payload() {
    return payload.clone();
  }

  /** The payload size in bytes. */
  public int payloadSize() {
    return payload.length;
  }

  /** The payload's media type, {@code application/json} by default. */
  public String contentType() {
    return contentType;
  }

  @Override
  public boolean equals(Object o) {
    if (this == o) {
      return true;
    }
    if (!(o instanceof Event)) {
      return false;
    }
    Event e = (Event) o;
    return contractVersion == e.contractVersion
        && id.equals(e.id)
        && type.equals(e.type)
        && source.equals(e.source)
        && topic.equals(e.topic)
        && Objects.equals(key, e.key)
        && occurredAt.equals(e.occurredAt)
        && Objects.equals(traceParent, e.traceParent)
        && headers.equals(e.headers)
        && Arrays.equals(payload, e.payload)
        && contentType.equals(e.contentType);
  }

  @Override
  public int hashCode() {
    return id.hashCode();
  }

  /** Names the event without its payload or headers, which may carry personal data. */
  @Override
  public String toString() {
    return "Event{id="
        + id
        + ", type="
        + type
        + ", v"
        + contractVersion
        + ", topic="
        + topic
        + ", source="
        + source
        + ", payload="
        + payload.length
        + " bytes}";
  }

  /** Builds an {@link Event}; validates in {@link #build()}. Not thread-safe. */
  public static final class Builder {
    private final Clock clock;
    private UUID id;
    private String type;
    private int contractVersion = 1;
    private String source;
    private String topic;
    private String key;
    private Instant occurredAt;
    private String traceParent;
    private final Map<String, String> headers = new LinkedHashMap<>();
    private byte[] payload;
    private String contentType = JSON;

    private Builder(Clock clock) {
      this.clock = clock;
    }

    /** The id; normally left out so that a new time-ordered UUID is assigned. */
    public Builder id(UUID id) {
      this.id = id;
      return this;
    }

    /** The business fact in past tense, such as {@code order.placed}. Required. */
    public Builder type(String type) {
      this.type = type;
      return this;
    }

    /** The contract version, at least 1; 1 by default. */
    public Builder contractVersion(int contractVersion) {
      this.contractVersion = contractVersion;
      return this;
    }

    /** The producing service. Required. */
    public Builder source(String source) {
      this.source = source;
      return this;
    }

    /** The destination topic. Required. */
    public Builder topic(String topic) {
      this.topic = topic;
      return this;
    }

    /** The partition key (aggregate id); null for an unkeyed event. */
    public Builder key(String key) {
      this.key = key;
      return this;
    }

    /** When the fact happened; the clock's now by default. */
    public Builder occurredAt(Instant occurredAt) {
      this.occurredAt = occurredAt;
      return this;
    }

    /** The W3C {@code traceparent} to continue downstream; ignored when malformed. */
    public Builder traceParent(String traceParent) {
      this.traceParent =
          traceParent != null && TRACEPARENT.matcher(traceParent).matches() ? traceParent : null;
      return this;
    }

    /**
     * Adds a header beyond the envelope's own.
     *
     * @param name not one of {@link EventHeaders#ENVELOPE}
     * @param value a UTF-8 string
     */
    public Builder header(String name, String value) {
      headers.put(
          Objects.requireNonNull(name, "header name"),
          Objects.requireNonNull(value, "header value"));
      return this;
    }

    /** The payload bytes; copied. Required (may be empty). */
    public Builder payload(byte[] payload) {
      this.payload = payload;
      return this;
    }

    /**
     * The payload as the JSON of {@code value}, encoded now with a {@link JsonCodec#create()
     * default codec} (1 MiB limit), the codec consumers decode it with into the contract's class;
     * sets the content type to {@code application/json}. Equivalent to {@code payload(value,
     * JsonCodec.create())}.
     *
     * <pre>{@code
     * Event.builder().type("order.placed").topic("orders").key(id).source("orders")
     *     .payloadJson(new OrderPlaced(id, total))
     *     .build();
     * }</pre>
     *
     * @param value the payload object (a record or bean); not null
     * @throws KeelConfigurationException when {@code value} is null
     * @throws PayloadException when the value cannot be encoded or its JSON is over the limit
     */
    public Builder payloadJson(Object value) {
      return payload(value, DefaultJson.CODEC);
    }

    /**
     * The payload as {@code value} encoded now by {@code codec} (for example a {@link
     * JsonCodec#withMaxBytes(int) codec with a larger limit}); sets the content type to {@code
     * application/json}.
     *
     * @param value the payload object; not null
     * @param codec the codec that encodes it; not null
     * @throws KeelConfigurationException when {@code value} or {@code codec} is null
     * @throws PayloadException when the value cannot be encoded or its JSON is over the limit
     */
    public Builder payload(Object value, JsonCodec codec) {
      if (value == null) {
        throw invalid(
            "payload", "value must not be null (use payload(new byte[0]) for none)", null);
      }
      if (codec == null) {
        throw invalid("payload", "codec must not be null", null);
      }
      this.payload = codec.encode(value);
      this.contentType = JSON;
      return this;
    }

    /** The payload's media type; {@code application/json} by default. */
    public Builder contentType(String contentType) {
      this.contentType = contentType;
      return this;
    }

    /**
     * Validates and builds.
     *
     * @throws KeelConfigurationException naming the first property that is missing or invalid
     */
    public Event build() {
      if (type == null
          || type.length() > MAX_TYPE_LENGTH
          || !TYPE_PATTERN.matcher(type).matches()) {
        throw invalid(
            "type",
            "must be lower-case words joined by '.', '-' or '_' (at most "
                + MAX_TYPE_LENGTH
                + " chars), such as order.placed",
            type);
      }
      if (contractVersion < 1) {
        throw invalid("contractVersion", "must be at least 1", String.valueOf(contractVersion));
      }
      requireText("source", source);
      requireText("topic", topic);
      if (!topic.matches("[A-Za-z0-9._-]{1,249}") || topic.equals(".") || topic.equals("..")) {
        throw invalid(
            "topic", "must be a legal Kafka topic name ([A-Za-z0-9._-], at most 249 chars)", topic);
      }
      if (key != null && key.getBytes(StandardCharsets.UTF_8).length > MAX_KEY_BYTES) {
        throw invalid("key", "must be at most " + MAX_KEY_BYTES + " bytes", key);
      }
      requireText("contentType", contentType);
      if (payload == null) {
        throw invalid("payload", "is required (use an empty array for none)", null);
      }
      for (String name : headers.keySet()) {
        if (EventHeaders.ENVELOPE.contains(name)) {
          throw invalid("header", "must not use a name of Keel's header contract", name);
        }
        if (name.isEmpty() || name.length() > MAX_TEXT_LENGTH) {
          throw invalid("header", "name must be 1 to " + MAX_TEXT_LENGTH + " chars", name);
        }
      }
      return new Event(this);
    }

    private static void requireText(String property, String value) {
      if (value == null || value.isBlank() || value.length() > MAX_TEXT_LENGTH) {
        throw invalid(property, "is required, at most " + MAX_TEXT_LENGTH + " chars", value);
      }
    }

    private static KeelConfigurationException invalid(String property, String rule, String value) {
      return new KeelConfigurationException(
          "Event." + property + " " + rule + ", was " + Values.quote(value));
    }
  }

  /** The codec of {@link Builder#payloadJson}, created on first use; thread-safe. */
  private static final class DefaultJson {
    static final JsonCodec CODEC = JsonCodec.create();
  }
}
