package dev.keel.event;

import java.util.Set;

/**
 * Names of the Kafka headers Keel writes on every record (docs/design.md §2). Values are UTF-8
 * strings so that a consumer in any language can deduplicate, route and check versions without
 * Keel.
 */
public final class EventHeaders {
  /**
   * Stable idempotency key (UUID) assigned at append time; kept through retries, DLQ and replay.
   */
  public static final String EVENT_ID = "keel-event-id";

  /** The business fact in past tense, such as {@code order.placed}. */
  public static final String EVENT_TYPE = "keel-event-type";

  /** The integer version of the event's contract. */
  public static final String CONTRACT_VERSION = "keel-contract-version";

  /** ISO-8601 instant of the business fact. */
  public static final String OCCURRED_AT = "keel-occurred-at";

  /** The producing service. */
  public static final String SOURCE = "keel-source";

  /** The payload's media type; {@code application/json} when absent. */
  public static final String CONTENT_TYPE = "keel-content-type";

  /** W3C trace context, when a trace was active at append time. */
  public static final String TRACEPARENT = "traceparent";

  /** Saga id, on saga commands and replies only. */
  public static final String SAGA_ID = "keel-saga-id";

  /** Saga step, on saga commands and replies only. */
  public static final String SAGA_STEP = "keel-saga-step";

  /** Prefix of the dead-letter headers. */
  public static final String DLQ_PREFIX = "keel-dlq-";

  /** Headers that describe the envelope itself; an event's extra headers may not use them. */
  public static final Set<String> ENVELOPE =
      Set.of(
          EVENT_ID, EVENT_TYPE, CONTRACT_VERSION, OCCURRED_AT, SOURCE, CONTENT_TYPE, TRACEPARENT);

  /** The longest header value Keel accepts on an inbound {@code keel-*} header, in bytes. */
  public static final int MAX_VALUE_BYTES = 1024;

  private EventHeaders() {}
}
