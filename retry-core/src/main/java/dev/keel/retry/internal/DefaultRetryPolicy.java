package dev.keel.retry.internal;

import dev.keel.event.FailureAction;
import dev.keel.event.FailureClass;
import dev.keel.event.KeelConfigurationException;
import dev.keel.retry.RetryDecision;
import dev.keel.retry.RetryPolicy;
import io.github.resilience4j.core.IntervalFunction;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;

/** The immutable {@link RetryPolicy} on Resilience4j's exponential interval functions. */
public final class DefaultRetryPolicy implements RetryPolicy {
  private final int maxAttempts;
  private final Map<FailureClass, Integer> attemptsByClass;
  private final Map<FailureClass, FailureAction> actions;
  private final FailureAction exhausted;
  private final Duration initialDelay;
  private final double multiplier;
  private final Duration maxDelay;
  private final double jitter;
  private final IntervalFunction intervals;

  private DefaultRetryPolicy(Builder b) {
    this.maxAttempts = b.maxAttempts;
    this.attemptsByClass = new EnumMap<>(FailureClass.class);
    this.attemptsByClass.putAll(b.attemptsByClass);
    this.actions = new EnumMap<>(FailureClass.class);
    for (FailureClass c : FailureClass.values()) {
      actions.put(c, b.actions.getOrDefault(c, c.defaultAction()));
    }
    this.exhausted = b.exhausted;
    this.initialDelay = b.initialDelay;
    this.multiplier = b.multiplier;
    this.maxDelay = b.maxDelay;
    this.jitter = b.jitter;
    this.intervals =
        jitter == 0.0
            ? IntervalFunction.ofExponentialBackoff(initialDelay, multiplier, maxDelay)
            : IntervalFunction.ofExponentialRandomBackoff(
                initialDelay, multiplier, jitter, maxDelay);
  }

  @Override
  public RetryDecision decide(FailureClass failureClass, int attempts) {
    Objects.requireNonNull(failureClass, "failureClass");
    int n = Math.max(1, attempts);
    FailureAction action = actions.get(failureClass);
    if (action != FailureAction.RETRY) {
      return new RetryDecision(action, Duration.ZERO, n, failureClass);
    }
    if (n >= maxAttempts(failureClass)) {
      return new RetryDecision(exhausted, Duration.ZERO, n, failureClass);
    }
    return new RetryDecision(FailureAction.RETRY, delay(n), n, failureClass);
  }

  @Override
  public Duration delay(int attempts) {
    // Resilience4j numbers attempts from 1 (the first retry waits the initial interval); its
    // exponent overflows to infinity for large counts, which the cap absorbs.
    int n = Math.max(1, Math.min(attempts, 10_000));
    long millis = intervals.apply(n);
    // Jitter is applied after the cap by Resilience4j; the cap here is hard.
    return Duration.ofMillis(Math.max(1, Math.min(millis, maxDelay.toMillis())));
  }

  @Override
  public int maxAttempts(FailureClass failureClass) {
    if (actions.get(failureClass) != FailureAction.RETRY) {
      return 1;
    }
    return attemptsByClass.getOrDefault(failureClass, maxAttempts);
  }

  @Override
  public FailureAction action(FailureClass failureClass) {
    return actions.get(failureClass);
  }

  @Override
  public FailureAction exhaustedAction() {
    return exhausted;
  }

  @Override
  public Duration maxDelay() {
    return maxDelay;
  }

  @Override
  public Duration initialDelay() {
    return initialDelay;
  }

  @Override
  public double multiplier() {
    return multiplier;
  }

  @Override
  public double jitter() {
    return jitter;
  }

  @Override
  public Duration maxTotalDelay(FailureClass failureClass) {
    int max = maxAttempts(failureClass);
    if (max == UNBOUNDED) {
      return null;
    }
    long total = 0;
    double current = initialDelay.toMillis();
    for (int i = 1; i < max; i++) {
      long step = (long) Math.min(current * (1 + jitter), maxDelay.toMillis());
      total += step;
      current = Math.min(current * multiplier, maxDelay.toMillis() * 2.0);
    }
    return Duration.ofMillis(total);
  }

  @Override
  public String toString() {
    return "RetryPolicy{maxAttempts="
        + (maxAttempts == UNBOUNDED ? "unbounded" : maxAttempts)
        + ", overrides="
        + attemptsByClass
        + ", initialDelay="
        + initialDelay
        + ", multiplier="
        + multiplier
        + ", maxDelay="
        + maxDelay
        + ", jitter="
        + jitter
        + ", actions="
        + actions
        + ", whenExhausted="
        + exhausted
        + "}";
  }

  /** The mutable builder; {@link #build()} copies. */
  public static final class Builder implements RetryPolicy.Builder {
    private int maxAttempts = 3;
    private final Map<FailureClass, Integer> attemptsByClass = new EnumMap<>(FailureClass.class);
    private final Map<FailureClass, FailureAction> actions = new EnumMap<>(FailureClass.class);
    private FailureAction exhausted = FailureAction.DEAD_LETTER;
    private Duration initialDelay = Duration.ofMillis(100);
    private double multiplier = 2.0;
    private Duration maxDelay = Duration.ofSeconds(10);
    private double jitter = 0.2;
    private boolean unbounded;

    @Override
    public Builder maxAttempts(int maxAttempts) {
      this.maxAttempts = maxAttempts;
      return this;
    }

    @Override
    public Builder maxAttempts(FailureClass failureClass, int maxAttempts) {
      attemptsByClass.put(Objects.requireNonNull(failureClass, "failureClass"), maxAttempts);
      return this;
    }

    @Override
    public Builder unboundedAttempts() {
      this.unbounded = true;
      return this;
    }

    @Override
    public Builder initialDelay(Duration initialDelay) {
      this.initialDelay = initialDelay;
      return this;
    }

    @Override
    public Builder multiplier(double multiplier) {
      this.multiplier = multiplier;
      return this;
    }

    @Override
    public Builder maxDelay(Duration maxDelay) {
      this.maxDelay = maxDelay;
      return this;
    }

    @Override
    public Builder jitter(double jitter) {
      this.jitter = jitter;
      return this;
    }

    @Override
    public Builder action(FailureClass failureClass, FailureAction action) {
      actions.put(
          Objects.requireNonNull(failureClass, "failureClass"),
          Objects.requireNonNull(action, "action"));
      return this;
    }

    @Override
    public Builder whenExhausted(FailureAction action) {
      this.exhausted = action;
      return this;
    }

    @Override
    public RetryPolicy build() {
      if (unbounded) {
        maxAttempts = UNBOUNDED;
      } else if (maxAttempts < 1 || maxAttempts == UNBOUNDED) {
        throw invalid(
            "maxAttempts",
            "must be at least 1 (and below "
                + UNBOUNDED
                + "; use unboundedAttempts() to retry forever)",
            maxAttempts);
      }
      for (Map.Entry<FailureClass, Integer> e : attemptsByClass.entrySet()) {
        if (e.getValue() < 1 || e.getValue() == UNBOUNDED) {
          throw invalid(
              "maxAttempts[" + e.getKey() + "]",
              "must be at least 1 (and below " + UNBOUNDED + ")",
              e.getValue());
        }
      }
      if (initialDelay == null || initialDelay.compareTo(Duration.ofMillis(1)) < 0) {
        throw invalid("initialDelay", "must be at least 1 ms", initialDelay);
      }
      if (maxDelay == null || maxDelay.compareTo(initialDelay) < 0) {
        throw invalid("maxDelay", "must be at least initialDelay (" + initialDelay + ")", maxDelay);
      }
      if (maxDelay.compareTo(Duration.ofDays(1)) > 0) {
        throw invalid("maxDelay", "must be at most 1 day", maxDelay);
      }
      if (!(multiplier >= 1.0) || Double.isInfinite(multiplier) || multiplier > 100) {
        throw invalid("multiplier", "must be between 1.0 and 100", multiplier);
      }
      if (!(jitter >= 0.0 && jitter <= 1.0)) {
        throw invalid("jitter", "must be between 0.0 and 1.0", jitter);
      }
      for (Map.Entry<FailureClass, FailureAction> e : actions.entrySet()) {
        // A fatal failure stops the component; no policy may retry or dead-letter it.
        if (e.getKey().defaultAction() == FailureAction.FAIL_FAST
            && e.getValue() != FailureAction.FAIL_FAST) {
          throw invalid(
              "action[" + e.getKey() + "]",
              "must stay FAIL_FAST: a " + e.getKey().tag() + " failure stops the component",
              e.getValue());
        }
      }
      if (exhausted == null || exhausted == FailureAction.RETRY) {
        throw invalid("whenExhausted", "must be DEAD_LETTER, PARK or FAIL_FAST", exhausted);
      }
      return new DefaultRetryPolicy(this);
    }

    private static KeelConfigurationException invalid(String property, String rule, Object value) {
      return new KeelConfigurationException(
          "RetryPolicy." + property + " " + rule + ", was " + value);
    }
  }
}
