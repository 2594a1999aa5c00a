package dev.keel.advisor;

import dev.keel.advisor.internal.Checks;
import java.time.Duration;

/**
 * How a consumer makes a second delivery of the same event harmless (docs/design.md §4). Immutable.
 *
 * @param strategy the technique
 * @param key what identifies a delivery: {@code keel-event-id} or a business key field
 * @param window how long dedupe rows are kept; zero when the strategy keeps none
 */
public record IdempotencySpec(Strategy strategy, String key, Duration window) {
  /** The default idempotency key header. */
  public static final String EVENT_ID = "keel-event-id";

  /** Idempotency techniques. */
  public enum Strategy {
    /** Nothing: a redelivery repeats the effects. */
    NONE,
    /** Keel's dedupe row {@code (consumer_group, event_id)} in the handler's transaction. */
    DEDUPE_TABLE,
    /** A unique business key checked in the handler's transaction. */
    BUSINESS_KEY,
    /** The effect is idempotent by nature (upsert of the latest state, set membership). */
    NATURAL
  }

  /** Validates the spec. */
  public IdempotencySpec {
    Checks.present("idempotency.strategy", strategy);
    key = key == null || key.isBlank() ? EVENT_ID : key;
    Checks.notNegative("idempotency.window", window);
  }

  /** No idempotency. */
  public static IdempotencySpec none() {
    return new IdempotencySpec(Strategy.NONE, EVENT_ID, Duration.ZERO);
  }

  /** Keel's dedupe table keyed by event id, rows kept for the window. */
  public static IdempotencySpec dedupeTable(Duration window) {
    return new IdempotencySpec(Strategy.DEDUPE_TABLE, EVENT_ID, window);
  }
}
