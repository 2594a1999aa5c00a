package dev.keel.retry.internal;

import dev.keel.event.FailureClass;
import dev.keel.retry.FailureClassifier;
import dev.keel.retry.InPlaceRetry;
import dev.keel.retry.RetryDecision;
import dev.keel.retry.RetryOutcome;
import dev.keel.retry.RetryPolicy;
import dev.keel.retry.spi.Sleeper;
import java.time.Clock;
import java.time.Instant;
import java.util.Objects;

/** The blocking retry loop. */
public final class DefaultInPlaceRetry implements InPlaceRetry {
  private final RetryPolicy policy;
  private final FailureClassifier classifier;
  private final Sleeper sleeper;
  private final Clock clock;

  private DefaultInPlaceRetry(Builder b) {
    this.policy = b.policy;
    this.classifier = b.classifier;
    this.sleeper = b.sleeper;
    this.clock = b.clock;
  }

  @Override
  public <T> RetryOutcome<T> call(Call<T> attempt) {
    Objects.requireNonNull(attempt, "attempt");
    Instant first = null;
    Instant last = null;
    for (int n = 1; ; n++) {
      T value;
      try {
        value = attempt.call(n);
      } catch (Exception e) {
        Instant at = now();
        if (first == null) {
          first = at;
        }
        last = at;
        FailureClass c = classifier.classify(e);
        RetryDecision d = policy.decide(c, n);
        if (!d.retry()) {
          return RetryOutcome.gaveUp(n, d.action(), c, e, first, at);
        }
        try {
          sleeper.sleep(d.delay());
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          return RetryOutcome.gaveUp(n, policy.exhaustedAction(), c, e, first, at);
        }
        continue;
      }
      return RetryOutcome.success(value, n, first, last);
    }
  }

  private Instant now() {
    return clock.instant();
  }

  /** The builder. */
  public static final class Builder implements InPlaceRetry.Builder {
    private RetryPolicy policy = RetryPolicy.defaults();
    private FailureClassifier classifier = FailureClassifier.defaults();
    private Sleeper sleeper = Sleeper.system();
    private Clock clock = Clock.systemUTC();

    @Override
    public Builder policy(RetryPolicy policy) {
      this.policy = Objects.requireNonNull(policy, "InPlaceRetry.policy");
      return this;
    }

    @Override
    public Builder classifier(FailureClassifier classifier) {
      this.classifier = Objects.requireNonNull(classifier, "InPlaceRetry.classifier");
      return this;
    }

    @Override
    public Builder sleeper(Sleeper sleeper) {
      this.sleeper = Objects.requireNonNull(sleeper, "InPlaceRetry.sleeper");
      return this;
    }

    @Override
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "InPlaceRetry.clock");
      return this;
    }

    @Override
    public InPlaceRetry build() {
      return new DefaultInPlaceRetry(this);
    }
  }
}
