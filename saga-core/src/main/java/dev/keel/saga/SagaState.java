package dev.keel.saga;

/**
 * The state of a saga instance. {@link #RUNNING} and {@link #COMPENSATING} are in flight; every
 * saga ends in exactly one of the four terminal states.
 */
public enum SagaState {
  /** Executing steps forward. */
  RUNNING,
  /** Undoing completed steps in reverse order. */
  COMPENSATING,
  /** Terminal: every step completed. */
  COMPLETED,
  /** Terminal: a step failed and every completed step was compensated. */
  COMPENSATED,
  /**
   * Terminal: a step after the pivot failed for good (forward recovery exhausted); nothing was
   * compensated because the pivot cannot be undone.
   */
  FAILED,
  /**
   * Terminal for the engine: a compensation could not succeed within its retry policy. Listed for
   * operators, who can retry it ({@link SagaAdmin#retryCompensation}) or resolve it by hand ({@link
   * SagaAdmin#resolve}).
   */
  COMPENSATION_FAILED;

  /** Whether no further step will run without an operator. */
  public boolean isTerminal() {
    return this != RUNNING && this != COMPENSATING;
  }
}
