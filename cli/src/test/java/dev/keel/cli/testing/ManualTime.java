package dev.keel.cli.testing;

import dev.keel.retry.spi.Sleeper;
import dev.keel.test.TestTime;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A controlled clock, starting at {@link TestTime#start()} (now, or moved by the suite's clock
 * offset), and a sleeper that advances it instead of waiting; records every sleep.
 */
public final class ManualTime {
  private volatile Instant now;
  private final List<Duration> sleeps = new CopyOnWriteArrayList<>();

  /** A clock at {@link TestTime#start()}. */
  public ManualTime() {
    this(TestTime.start());
  }

  /** A clock at {@code start}: for tests whose subject measures ages from the wall clock. */
  public ManualTime(Instant start) {
    this.now = start;
  }

  public Clock clock() {
    return new Clock() {
      @Override
      public ZoneId getZone() {
        return ZoneOffset.UTC;
      }

      @Override
      public Clock withZone(ZoneId zone) {
        return this;
      }

      @Override
      public Instant instant() {
        return now;
      }
    };
  }

  public Sleeper sleeper() {
    return d -> {
      sleeps.add(d);
      advance(d);
    };
  }

  public synchronized void advance(Duration d) {
    now = now.plus(d);
  }

  public Instant now() {
    return now;
  }

  public List<Duration> sleeps() {
    return List.copyOf(sleeps);
  }

  public Duration slept() {
    return sleeps.stream().reduce(Duration.ZERO, Duration::plus);
  }
}
