package dev.keel.advisor;

import dev.keel.advisor.internal.Checks;
import dev.keel.event.KeelConfigurationException;
import java.time.Duration;
import java.util.List;

/**
 * How a consumer retries a failed record (docs/design.md §5). Immutable.
 *
 * @param mode none, in place (blocking, keeps order) or non-blocking delay tiers (leaves order)
 * @param maxAttempts attempts in place including the first, at least 1
 * @param initialBackoff the first in-place delay
 * @param multiplier the exponential factor between in-place delays, at least 1
 * @param maxBackoff the cap on in-place delays
 * @param jitter the random fraction added to or taken from each delay, 0 to 1
 * @param tiers the delays of the retry topics {@code <topic>.retry.<n>}, non-blocking mode only
 */
public record RetrySpec(
    Mode mode,
    int maxAttempts,
    Duration initialBackoff,
    double multiplier,
    Duration maxBackoff,
    double jitter,
    List<Duration> tiers) {

  /** The retry modes. */
  public enum Mode {
    /** A failure goes straight to poison handling. */
    NONE,
    /** Blocking retries on the consumer thread: later records of the partition wait. */
    IN_PLACE,
    /** The record moves to delay topics and later records go on: order is not kept. */
    NON_BLOCKING
  }

  /** Validates the policy. */
  public RetrySpec {
    Checks.present("retry.mode", mode);
    if (maxAttempts < 1) {
      throw new KeelConfigurationException(
          "retry.maxAttempts must be at least 1, was " + maxAttempts);
    }
    Checks.notNegative("retry.initialBackoff", initialBackoff);
    Checks.notNegative("retry.maxBackoff", maxBackoff);
    if (multiplier < 1.0) {
      throw new KeelConfigurationException(
          "retry.multiplier must be at least 1, was " + multiplier);
    }
    if (jitter < 0.0 || jitter > 1.0) {
      throw new KeelConfigurationException("retry.jitter must be between 0 and 1, was " + jitter);
    }
    tiers = Checks.list(tiers);
    tiers.forEach(t -> Checks.positive("retry.tiers[]", t));
    if (mode == Mode.NON_BLOCKING && tiers.isEmpty()) {
      throw new KeelConfigurationException("retry.tiers must not be empty in non-blocking mode");
    }
    if (mode != Mode.NON_BLOCKING && !tiers.isEmpty()) {
      throw new KeelConfigurationException("retry.tiers are only allowed in non-blocking mode");
    }
  }

  /** No retry. */
  public static RetrySpec none() {
    return new RetrySpec(Mode.NONE, 1, Duration.ZERO, 1.0, Duration.ZERO, 0.0, List.of());
  }

  /** Exponential in-place retry with 20% jitter. */
  public static RetrySpec inPlace(
      int maxAttempts, Duration initialBackoff, double multiplier, Duration maxBackoff) {
    return new RetrySpec(
        Mode.IN_PLACE, maxAttempts, initialBackoff, multiplier, maxBackoff, 0.2, List.of());
  }

  /** Non-blocking retry through one delay topic per tier. */
  public static RetrySpec nonBlocking(List<Duration> tiers) {
    return new RetrySpec(Mode.NON_BLOCKING, 1, Duration.ZERO, 1.0, Duration.ZERO, 0.0, tiers);
  }

  /** Whether a failed record is ever processed again. */
  public boolean retries() {
    return mode == Mode.NON_BLOCKING || (mode == Mode.IN_PLACE && maxAttempts > 1);
  }
}
