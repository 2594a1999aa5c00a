package dev.keel.dlq.testing;

import dev.keel.dlq.spi.Sleeper;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** A controlled clock and a sleeper that advances it instead of waiting; records every sleep. */
public final class ManualTime {
  private volatile Instant now = Instant.parse("2026-11-27T12:00:00Z");
  private final List<Duration> sleeps = new CopyOnWriteArrayList<>();

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
