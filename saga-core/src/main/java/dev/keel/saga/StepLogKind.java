package dev.keel.saga;

/**
 * What a line of a saga's step log records ({@link StepLogEntry#kind()}); stored by name in the
 * {@code kind} column of {@code keel_saga_step_log}. Saga-level lines (no step) are {@link
 * #STARTED} and the terminal ones, named after the {@link SagaState} the saga ended in.
 */
public enum StepLogKind {
  /** The saga started (saga-level). */
  STARTED,
  /** A step's command was appended to the outbox; the detail is the command type. */
  COMMAND_SENT,
  /** A step's action completed; the detail is the reply type or {@code local}. */
  ACTION_DONE,
  /** A step's action failed; the detail is the failure class and reason. */
  ACTION_FAILED,
  /** No reply arrived within the step's timeout. */
  TIMED_OUT,
  /** Another attempt is scheduled; the detail says which and when. */
  RETRY_SCHEDULED,
  /** A compensation command was appended to the outbox. */
  COMPENSATION_SENT,
  /** A step was compensated; saga-level: the saga ended {@link SagaState#COMPENSATED}. */
  COMPENSATED,
  /**
   * A step's compensation failed; saga-level: the saga ended {@link SagaState#COMPENSATION_FAILED}.
   */
  COMPENSATION_FAILED,
  /** Saga-level: the saga ended {@link SagaState#COMPLETED}. */
  COMPLETED,
  /** Saga-level: the saga ended {@link SagaState#FAILED}. */
  FAILED,
  /** An operator retried the failed compensation ({@link SagaAdmin#retryCompensation}). */
  OPERATOR_RETRY,
  /** An operator resolved the saga by hand ({@link SagaAdmin#resolve}). */
  OPERATOR_RESOLVED;

  /**
   * The saga-level line for a terminal state.
   *
   * @param state a terminal state
   */
  public static StepLogKind ended(SagaState state) {
    return switch (state) {
      case COMPLETED -> COMPLETED;
      case COMPENSATED -> COMPENSATED;
      case FAILED -> FAILED;
      case COMPENSATION_FAILED -> COMPENSATION_FAILED;
      default -> throw new IllegalArgumentException("not terminal: " + state);
    };
  }
}
