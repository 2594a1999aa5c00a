package dev.keel.saga;

/**
 * Where a saga stands within its current step ({@link SagaView#phase()}); stored by name in the
 * {@code phase} column of {@code keel_saga}.
 */
public enum SagaPhase {
  /** Waiting for a reply or for the step's timeout. */
  AWAIT,
  /** Waiting to send the next attempt of the step's action or compensation. */
  RETRY,
  /** The saga is in a terminal state. */
  DONE
}
