package dev.keel.outbox;

/** What the relay does with a row once Kafka acknowledged it. */
public enum CleanupMode {
  /** Delete it: the outbox holds only unpublished rows. The default. */
  DELETE,
  /**
   * Move it to {@code <prefix>outbox_published} with the time it was published; rows older than the
   * configured retention are purged in small batches. For audits and manual replays.
   */
  MARK_PUBLISHED
}
