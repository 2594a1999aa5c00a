/**
 * Keel retry-core: the retry logic without I/O. The {@link dev.keel.retry.FailureClassifier} names
 * the class of an error, the {@link dev.keel.retry.RetryPolicy} decides per class whether and when
 * to try again ({@link dev.keel.retry.RetryDecision}), and {@link dev.keel.retry.InPlaceRetry} runs
 * an attempt under both and returns a {@link dev.keel.retry.RetryOutcome}: the value and the
 * attempt count, or the {@link dev.keel.retry.Failure} to record when it gave up.
 *
 * <pre>{@code
 * InPlaceRetry retry = InPlaceRetry.builder().policy(RetryPolicy.defaults()).build();
 * RetryOutcome<Receipt> outcome = retry.call(attempt -> payments.charge(order));
 * if (!outcome.succeeded()) {
 *   deadLetters.publish(record, outcome.toFailure(group)); // dlq-core does the I/O
 * }
 * }</pre>
 *
 * <p>This module talks to no broker and no database, and registers no meter: dlq-core (dead
 * letters, delay-tier forwarding) and consumer-core (the poll loop) do the I/O on top of it.
 * Everything in {@code internal} may change; {@code spi} holds the {@link
 * dev.keel.retry.spi.Sleeper} that tests replace.
 */
package dev.keel.retry;
