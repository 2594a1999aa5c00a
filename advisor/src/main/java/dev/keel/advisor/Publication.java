package dev.keel.advisor;

/** How a service puts a message on Kafka. */
public enum Publication {
  /**
   * Appended to {@code keel_outbox} in the business transaction and relayed (docs/design.md §3).
   */
  OUTBOX,
  /** Sent with a Kafka producer outside the business transaction. */
  DIRECT
}
