package dev.keel.retry;

import dev.keel.event.FailureAction;
import dev.keel.event.FailureClass;
import dev.keel.retry.internal.DefaultRetryPolicy;
import java.time.Duration;

/**
 * How often and how long to retry a failed record, per {@link FailureClass}.
 *
 * <p>Delays follow an exponential backoff with jitter and a cap, computed by Resilience4j's
 * interval functions: attempt {@code n} waits {@code initialDelay * multiplier^(n-1)}, randomized
 * by {@code ±jitter}, never more than {@code maxDelay}. Each failure class has an action (its
 * {@link FailureClass#defaultAction()} unless overridden): {@code RETRY} classes are retried up to
 * {@code maxAttempts} attempts and then given up with {@link Builder#whenExhausted}; other classes
 * are given up at once with their own action.
 *
 * <pre>{@code
 * RetryPolicy policy = RetryPolicy.builder()
 *     .maxAttempts(5)
 *     .initialDelay(Duration.ofMillis(200))
 *     .multiplier(2.0)
 *     .maxDelay(Duration.ofSeconds(10))
 *     .jitter(0.2)
 *     .action(FailureClass.BUSINESS, FailureAction.PARK)
 *     .maxAttempts(FailureClass.TRANSIENT, 10)
 *     .build();
 * RetryDecision d = policy.decide(FailureClass.TRANSIENT, 1); // retry after about 200 ms
 * }</pre>
 *
 * <p>Attempt counts come from the caller's own memory (in-place retry) or from a bounded header
 * parse (dead-letter headers); {@link #decide} never lets a count beyond the policy buy more
 * attempts.
 *
 * <p>Thread safety: policies are immutable and thread-safe; the builder is not.
 */
public interface RetryPolicy {

  /**
   * The attempts limit meaning "no limit"; only set through {@link Builder#unboundedAttempts()}.
   */
  int UNBOUNDED = Integer.MAX_VALUE;

  /** A new builder with the defaults: 3 attempts, 100 ms doubled up to 10 s, jitter 0.2. */
  static Builder builder() {
    return new DefaultRetryPolicy.Builder();
  }

  /** The default policy, as {@link #builder()} builds it. */
  static RetryPolicy defaults() {
    return builder().build();
  }

  /**
   * What to do after a failed attempt.
   *
   * @param failureClass the class of the failure, from a {@link FailureClassifier}
   * @param attempts attempts made so far including the failed one; values above the limit give up,
   *     values below 1 are treated as 1
   * @return retry with a delay, or give up with an action
   */
  RetryDecision decide(FailureClass failureClass, int attempts);

  /**
   * The delay before attempt {@code attempts + 1}, with jitter, capped at {@link #maxDelay()}.
   *
   * @param attempts attempts made so far (at least 1)
   */
  Duration delay(int attempts);

  /** The attempts limit of a class ({@link #UNBOUNDED} when unbounded; 1 for non-retry classes). */
  int maxAttempts(FailureClass failureClass);

  /** The action of a class: {@code RETRY} or the action it is given up with immediately. */
  FailureAction action(FailureClass failureClass);

  /** The action once a retried class has used up its attempts. */
  FailureAction exhaustedAction();

  /** The cap on any single delay. */
  Duration maxDelay();

  /** The delay before the second attempt, before jitter. */
  Duration initialDelay();

  /** The growth factor between consecutive delays. */
  double multiplier();

  /** The randomization factor of each delay, from 0 (none) to 1. */
  double jitter();

  /**
   * The longest a record of this class can spend waiting between attempts (the sum of capped
   * delays, with jitter at its maximum), or null when attempts are unbounded. In-place retry blocks
   * the poll loop that long, so it must stay below {@code max.poll.interval.ms}.
   *
   * @param failureClass the class
   */
  Duration maxTotalDelay(FailureClass failureClass);

  /**
   * Builds a {@link RetryPolicy}; {@link #build()} validates and copies, so the builder can be
   * reused. Not thread-safe.
   */
  interface Builder {
    /** Attempts for every retried class, including the first; at least 1. Default 3. */
    Builder maxAttempts(int maxAttempts);

    /** Attempts for one class, overriding {@link #maxAttempts(int)}; at least 1. */
    Builder maxAttempts(FailureClass failureClass, int maxAttempts);

    /** Retries without limit; must be asked for explicitly, never implied by a large number. */
    Builder unboundedAttempts();

    /** The first delay; at least 1 ms. Default 100 ms. */
    Builder initialDelay(Duration initialDelay);

    /** The growth factor between delays; at least 1.0. Default 2.0. */
    Builder multiplier(double multiplier);

    /** The cap on any delay; at least the initial delay. Default 10 s. */
    Builder maxDelay(Duration maxDelay);

    /** The randomization factor, from 0 (none) to 1. Default 0.2 (±20 %). */
    Builder jitter(double jitter);

    /**
     * Overrides a class's action ({@link FailureClass#defaultAction()} otherwise). A class whose
     * default is {@code FAIL_FAST} ({@code FATAL}) cannot be given another action: {@link #build()}
     * rejects it.
     */
    Builder action(FailureClass failureClass, FailureAction action);

    /**
     * The action once attempts are used up: {@code DEAD_LETTER} (default), {@code PARK} or {@code
     * FAIL_FAST}.
     */
    Builder whenExhausted(FailureAction action);

    /**
     * Validates and builds.
     *
     * @throws dev.keel.event.KeelConfigurationException naming the first invalid property
     */
    RetryPolicy build();
  }
}
