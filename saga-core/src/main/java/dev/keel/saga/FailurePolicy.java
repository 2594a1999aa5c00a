package dev.keel.saga;

import dev.keel.retry.RetryPolicy;
import java.util.Objects;
import java.util.Optional;

/**
 * What a saga does when a step fails (a failure reply, a failing local action, or a timeout):
 * compensate the completed steps, or retry the step forward under a {@link RetryPolicy} from
 * dlq-core. When forward retries are used up, a step before the pivot compensates and a step after
 * the pivot ends the saga in {@link SagaState#FAILED}.
 *
 * <p>Immutable and thread-safe.
 */
public final class FailurePolicy {
  private static final FailurePolicy COMPENSATE = new FailurePolicy(null);

  private final RetryPolicy retry;

  private FailurePolicy(RetryPolicy retry) {
    this.retry = retry;
  }

  /** Compensate at the first failure. */
  public static FailurePolicy compensate() {
    return COMPENSATE;
  }

  /**
   * Retry the step (same step, next attempt) with the policy's attempts and delays; the delay is a
   * deadline in the database, not a sleep.
   *
   * @param retry the retry policy; {@code decide(failureClass, attempts)} is asked after each
   *     failure
   */
  public static FailurePolicy retryForward(RetryPolicy retry) {
    return new FailurePolicy(Objects.requireNonNull(retry, "FailurePolicy.retryForward(null)"));
  }

  /** The forward retry policy, empty for {@link #compensate()}. */
  public Optional<RetryPolicy> retry() {
    return Optional.ofNullable(retry);
  }

  /** Whether this policy retries forward. */
  public boolean retriesForward() {
    return retry != null;
  }

  @Override
  public String toString() {
    return retry == null ? "compensate" : "retryForward";
  }
}
