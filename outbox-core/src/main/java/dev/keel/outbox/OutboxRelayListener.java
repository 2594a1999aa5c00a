package dev.keel.outbox;

import java.util.UUID;

/**
 * Callbacks from a relay, for logs, alerts and tests. Every method has a no-op default; implement
 * what you need. Callbacks run on relay threads: keep them short and never throw (exceptions are
 * logged and ignored). Not called after the JVM dies: they are signals, not a record.
 */
public interface OutboxRelayListener {

  /** After Kafka acknowledged a batch of a lane and the rows were removed from the outbox. */
  default void onPublished(int lane, int count) {}

  /** After a row that can never be published was moved to the quarantine table. */
  default void onQuarantined(int lane, UUID eventId, String topic, String error) {}

  /** After this instance took a lane's lease; {@code epoch} is the fencing token. */
  default void onLaneAcquired(int lane, long epoch) {}

  /** After this instance gave a lane up, or learned that another instance took it. */
  default void onLaneReleased(int lane) {}

  /** After a strictly ordered lane stopped at a row it cannot publish; it waits for an operator. */
  default void onLaneStopped(int lane, String reason) {}

  /** After a failure the relay will retry by itself (database or broker unavailable). */
  default void onRetriableError(String operation, Throwable error) {}
}
