package dev.keel.retry;

import dev.keel.event.FailureClass;
import java.time.Instant;
import java.util.Objects;

/**
 * Why processing a record failed, as a dead-letter publisher records it: the consumer group, the
 * class of the failure, the last error, how many attempts were made and when the first and last
 * failed.
 *
 * <p>Immutable (the throwable is only read) and thread-safe.
 *
 * @param group the consumer group that failed to process the record
 * @param reason the failure class, from a {@link FailureClassifier}
 * @param error the last error, or null when there is none (a record parked by an operator rule)
 * @param attempts the attempts made, at least 1
 * @param firstFailure when the first attempt failed
 * @param lastFailure when the last attempt failed
 */
public record Failure(
    String group,
    FailureClass reason,
    Throwable error,
    int attempts,
    Instant firstFailure,
    Instant lastFailure) {

  /** Validates. */
  public Failure {
    Objects.requireNonNull(group, "group");
    Objects.requireNonNull(reason, "reason");
    Objects.requireNonNull(firstFailure, "firstFailure");
    Objects.requireNonNull(lastFailure, "lastFailure");
    if (group.isBlank() || group.length() > 255) {
      throw new IllegalArgumentException("Failure.group must be 1 to 255 chars");
    }
    if (attempts < 1) {
      throw new IllegalArgumentException("Failure.attempts must be at least 1, was " + attempts);
    }
  }

  /**
   * A failure after one attempt at {@code at}, such as a deserialization error.
   *
   * @param group the consumer group
   * @param reason the class
   * @param error the error
   * @param at when it failed
   */
  public static Failure once(String group, FailureClass reason, Throwable error, Instant at) {
    return new Failure(group, reason, error, 1, at, at);
  }
}
