package dev.keel.dlq;

/** Where a dead letter stands. */
public enum DeadLetterStatus {
  /** Waiting for an operator. */
  DEAD,
  /** Re-published by an operator. */
  REPLAYED,
  /** Dropped by an operator. */
  DISCARDED
}
