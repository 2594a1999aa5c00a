package dev.keel.retry;

import dev.keel.event.FailureAction;
import dev.keel.event.FailureClass;
import java.time.Instant;

/**
 * The result of {@link InPlaceRetry#call} (or {@link InPlaceRetry#run}): the value of the attempt
 * that succeeded and how many attempts it took, or the decision that gave up with the last error.
 *
 * <pre>{@code
 * RetryOutcome<Receipt> outcome = retry.call(attempt -> payments.charge(order));
 * if (outcome.succeeded()) {
 *   log.info("charged after {} attempt(s)", outcome.attempts());
 *   return outcome.value();
 * }
 * publisher.publish(record, outcome.toFailure(group));
 * }</pre>
 *
 * <p>Immutable and thread-safe when the value is.
 *
 * @param <T> the type of the attempt's value ({@link Void} for {@link InPlaceRetry#run})
 * @param succeeded whether an attempt succeeded
 * @param value what the successful attempt returned (may be null); null when given up
 * @param attempts attempts made, at least 1, the successful one included
 * @param action {@code null} on success; otherwise the give-up action of the policy
 * @param failureClass {@code null} on success; otherwise the class of the last error
 * @param lastError {@code null} on success; otherwise the last error
 * @param firstFailure {@code null} when the first attempt succeeded
 * @param lastFailure {@code null} when the first attempt succeeded
 */
public record RetryOutcome<T>(
    boolean succeeded,
    T value,
    int attempts,
    FailureAction action,
    FailureClass failureClass,
    Throwable lastError,
    Instant firstFailure,
    Instant lastFailure) {

  /** Validates the attempt count. */
  public RetryOutcome {
    if (attempts < 1) {
      throw new IllegalArgumentException(
          "RetryOutcome.attempts must be at least 1, was " + attempts);
    }
  }

  /**
   * A success.
   *
   * @param value what the attempt returned
   * @param attempts attempts made, the successful one included
   * @param firstFailure when the first attempt failed, or null when it succeeded
   * @param lastFailure when the last failed attempt failed, or null
   * @param <T> the value's type
   */
  public static <T> RetryOutcome<T> success(
      T value, int attempts, Instant firstFailure, Instant lastFailure) {
    return new RetryOutcome<>(true, value, attempts, null, null, null, firstFailure, lastFailure);
  }

  /**
   * A give-up.
   *
   * @param attempts attempts made
   * @param action the policy's give-up action
   * @param failureClass the class of the last error
   * @param lastError the last error
   * @param firstFailure when the first attempt failed
   * @param lastFailure when the last attempt failed
   * @param <T> the value's type
   */
  public static <T> RetryOutcome<T> gaveUp(
      int attempts,
      FailureAction action,
      FailureClass failureClass,
      Throwable lastError,
      Instant firstFailure,
      Instant lastFailure) {
    return new RetryOutcome<>(
        false, null, attempts, action, failureClass, lastError, firstFailure, lastFailure);
  }

  /**
   * The failure to record when giving up, for example by a dead-letter publisher.
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
