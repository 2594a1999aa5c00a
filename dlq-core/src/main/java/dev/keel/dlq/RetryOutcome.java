package dev.keel.dlq;

import dev.keel.event.FailureAction;
import dev.keel.event.FailureClass;
import java.time.Instant;

/**
 * The result of {@link InPlaceRetry#run}: success after some attempts, or the decision that gave up
 * with the last error.
 *
 * <p>Immutable and thread-safe.
 *
 * @param succeeded whether an attempt succeeded
 * @param attempts attempts made, at least 1
 * @param action {@code null} on success; otherwise the give-up action of the policy
 * @param failureClass {@code null} on success; otherwise the class of the last error
 * @param lastError {@code null} on success; otherwise the last error
 * @param firstFailure {@code null} when the first attempt succeeded
 * @param lastFailure {@code null} when the first attempt succeeded
 */
public record RetryOutcome(
    boolean succeeded,
    int attempts,
    FailureAction action,
    FailureClass failureClass,
    Throwable lastError,
    Instant firstFailure,
    Instant lastFailure) {

  /**
   * The failure to give to {@link DeadLetterPublisher#publish}.
   *
   * @param group the consumer group
   * @throws IllegalStateException when the outcome is a success
   */
  public Failure toFailure(String group) {
    if (succeeded) {
      throw new IllegalStateException("RetryOutcome succeeded; there is no failure");
    }
    return new Failure(group, failureClass, lastError, attempts, firstFailure, lastFailure);
  }
}
