package dev.keel.saga.testing;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A clock that only moves when a test moves it, for testing saga timeouts and retry delays without
 * waiting. Give it to the orchestrator, advance it past a step's timeout, and run the deadline scan
 * at once:
 *
 * <pre>{@code
 * SagaTestClock clock = SagaTestClock.at(Instant.parse("2026-01-01T00:00:00Z"));
 * SagaOrchestrator sagas = SagaOrchestrator.builder()...clock(clock).build();
 * ...
 * clock.advance(Duration.ofMinutes(5));   // past the step's timeout
 * sagas.scanDeadlinesNow();               // the timed-out step follows its failure policy
 * }</pre>
 *
 * <p>Thread-safe.
 */
public final class SagaTestClock extends Clock {
  private final AtomicReference<Instant> now;
  private final ZoneId zone;

  private SagaTestClock(AtomicReference<Instant> now, ZoneId zone) {
    this.now = now;
    this.zone = zone;
  }

  /**
   * A clock standing at an instant, in UTC.
   *
   * @param start the initial instant
   */
  public static SagaTestClock at(Instant start) {
    return new SagaTestClock(new AtomicReference<>(Objects.requireNonNull(start)), ZoneOffset.UTC);
  }

  /** A clock standing at the current system time, in UTC. */
  public static SagaTestClock now() {
    return at(Instant.now());
  }

  /**
   * Moves the clock forward.
   *
   * @param amount a non-negative duration
   * @return the new instant
   */
  public Instant advance(Duration amount) {
    if (amount == null || amount.isNegative()) {
      throw new IllegalArgumentException("SagaTestClock.advance needs a non-negative duration");
    }
    return now.updateAndGet(t -> t.plus(amount));
  }

  /**
   * Sets the clock to an instant (also backwards).
   *
   * @param instant the new instant
   */
  public void set(Instant instant) {
    now.set(Objects.requireNonNull(instant));
  }

  @Override
  public ZoneId getZone() {
    return zone;
  }

  @Override
  public Clock withZone(ZoneId zone) {
    return new SagaTestClock(now, zone);
  }

  @Override
  public Instant instant() {
    return now.get();
  }
}
