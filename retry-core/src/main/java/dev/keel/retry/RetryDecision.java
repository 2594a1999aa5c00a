package dev.keel.retry;

import dev.keel.event.FailureAction;
import dev.keel.event.FailureClass;
import java.time.Duration;
import java.util.Objects;

/**
 * What a {@link RetryPolicy} says to do after a failed attempt: retry after {@link #delay()}, or
 * give up with {@link #action()} ({@code DEAD_LETTER}, {@code PARK} or {@code FAIL_FAST}).
 *
 * <p>Immutable and thread-safe.
 *
 * @param action {@link FailureAction#RETRY} or the action that gives up
 * @param delay the wait before the next attempt; {@link Duration#ZERO} unless retrying
 * @param attempts the attempts made so far, the last of which failed (at least 1)
 * @param failureClass the class of the failure that led to this decision
 */
public record RetryDecision(
    FailureAction action, Duration delay, int attempts, FailureClass failureClass) {

  /** Validates the components. */
  public RetryDecision {
    Objects.requireNonNull(action, "action");
    Objects.requireNonNull(delay, "delay");
    Objects.requireNonNull(failureClass, "failureClass");
    if (delay.isNegative()) {
      throw new IllegalArgumentException("RetryDecision.delay must not be negative, was " + delay);
    }
    if (attempts < 1) {
      throw new IllegalArgumentException(
          "RetryDecision.attempts must be at least 1, was " + attempts);
    }
  }

  /** Whether the record should be tried again after {@link #delay()}. */
  public boolean retry() {
    return action == FailureAction.RETRY;
  }
}
