package dev.keel.dlq.internal;

import dev.keel.dlq.FailureClassifier;
import dev.keel.dlq.InPlaceRetry;
import dev.keel.dlq.RetryDecision;
import dev.keel.dlq.RetryOutcome;
import dev.keel.dlq.RetryPolicy;
import dev.keel.dlq.spi.Sleeper;
import dev.keel.event.FailureClass;
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
  public RetryOutcome run(Attempt attempt) {
    Objects.requireNonNull(attempt, "attempt");
    Instant first = null;
    for (int n = 1; ; n++) {
      try {
        attempt.run();
        return new RetryOutcome(true, n, null, null, null, first, first == null ? null : now());
      } catch (Exception e) {
        Instant at = now();
        if (first == null) {
          first = at;
        }
        FailureClass c = classifier.classify(e);
        RetryDecision d = policy.decide(c, n);
        if (!d.retry()) {
          return new RetryOutcome(false, n, d.action(), c, e, first, at);
        }
        try {
          sleeper.sleep(d.delay());
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          return new RetryOutcome(false, n, policy.exhaustedAction(), c, e, first, at);
        }
      }
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
