package dev.keel.retry;

import dev.keel.retry.internal.DefaultInPlaceRetry;
import dev.keel.retry.spi.Sleeper;
import java.time.Clock;

/**
 * Retry in place: runs an attempt, and on failure classifies the error, asks the {@link
 * RetryPolicy}, waits the delay through the {@link Sleeper} and tries again, until success or the
 * policy gives up.
 *
 * <p>This is the blocking style: the calling thread (the partition's poll loop) waits, so the
 * partition's order is kept. The total wait is bounded by {@link
 * RetryPolicy#maxTotalDelay(dev.keel.event.FailureClass)}, which the caller keeps below {@code
 * max.poll.interval.ms}. Delay tiers ({@code <topic>.retry.<n>}) are the non-blocking style; they
 * do not keep order.
 *
 * <pre>{@code
 * InPlaceRetry retry = InPlaceRetry.builder().policy(policy).classifier(classifier).build();
 * RetryOutcome<Receipt> outcome = retry.call(attempt -> handler.handle(event));
 * if (outcome.succeeded()) {
 *   metrics.attempts(outcome.attempts());
 *   return outcome.value();
 * }
 * publisher.publish(record, outcome.toFailure(group)); // a dead-letter publisher
 * }</pre>
 *
 * <p>Thread-safe: one instance may serve many threads; each {@link #run} call is independent.
 * Errors ({@code OutOfMemoryError} and the like) are not caught.
 */
public interface InPlaceRetry {

  /** A new builder. */
  static Builder builder() {
    return new DefaultInPlaceRetry.Builder();
  }

  /**
   * Calls the attempt until it succeeds or the policy gives up, and returns its value with the
   * number of attempts it took. The thread's interrupt flag ends the waiting early: the outcome
   * then gives up with the last error.
   *
   * @param attempt the work, told which attempt it is (1 for the first); any exception it throws is
   *     a failed attempt
   * @param <T> the value's type
   * @return the outcome; never throws the attempt's exceptions
   */
  <T> RetryOutcome<T> call(Call<T> attempt);

  /**
   * Runs the attempt until it succeeds or the policy gives up: {@link #call} for work without a
   * value.
   *
   * @param attempt the work; any exception it throws is a failed attempt
   * @return the outcome, whose {@link RetryOutcome#value()} is null; never throws the attempt's
   *     exceptions
   */
  default RetryOutcome<Void> run(Attempt attempt) {
    return call(
        n -> {
          attempt.run();
          return null;
        });
  }

  /** One attempt at processing a record, without a value. */
  @FunctionalInterface
  interface Attempt {
    /**
     * Processes the record once.
     *
     * @throws Exception any failure
     */
    void run() throws Exception;
  }

  /**
   * One attempt that returns a value.
   *
   * @param <T> the value's type
   */
  @FunctionalInterface
  interface Call<T> {
    /**
     * Makes attempt number {@code attempt}.
     *
     * @param attempt 1 for the first attempt, 2 for the first retry, and so on
     * @return the value of a successful attempt (may be null)
     * @throws Exception any failure
     */
    T call(int attempt) throws Exception;
  }

  /** Builds an {@link InPlaceRetry}. Not thread-safe. */
  interface Builder {
    /** The policy. Default {@link RetryPolicy#defaults()}. */
    Builder policy(RetryPolicy policy);

    /** The classifier. Default {@link FailureClassifier#defaults()}. */
    Builder classifier(FailureClassifier classifier);

    /** How to wait; {@link Sleeper#system()} by default, a fake in tests. */
    Builder sleeper(Sleeper sleeper);

    /** The clock for failure times. Default UTC system clock. */
    Builder clock(Clock clock);

    /** Builds. */
    InPlaceRetry build();
  }
}
