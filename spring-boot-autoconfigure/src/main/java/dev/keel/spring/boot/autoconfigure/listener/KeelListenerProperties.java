package dev.keel.spring.boot.autoconfigure.listener;

import dev.keel.consumer.Ordering;
import java.time.Duration;

/**
 * The settings of one {@link dev.keel.consumer.KeelListener} with an {@link
 * dev.keel.consumer.KeelListener#id() id}, bound from {@code keel.listeners.<id>.*}; each set value
 * overrides the annotation's attribute.
 */
public class KeelListenerProperties {
  private Ordering ordering;
  private String idempotencyKey;
  private Integer concurrency;
  private final Retry retry = new Retry();

  /** {@code PARTITION} or {@code KEY}. */
  public Ordering getOrdering() {
    return ordering;
  }

  /** Sets {@code keel.listeners.<id>.ordering}. */
  public void setOrdering(Ordering ordering) {
    this.ordering = ordering;
  }

  /** Empty for {@code keel-event-id}, {@code header:<name>} or {@code payload:<field>}. */
  public String getIdempotencyKey() {
    return idempotencyKey;
  }

  /** Sets {@code keel.listeners.<id>.idempotency-key}. */
  public void setIdempotencyKey(String idempotencyKey) {
    this.idempotencyKey = idempotencyKey;
  }

  /** Worker threads for the listener's group and topic. */
  public Integer getConcurrency() {
    return concurrency;
  }

  /** Sets {@code keel.listeners.<id>.concurrency}. */
  public void setConcurrency(Integer concurrency) {
    this.concurrency = concurrency;
  }

  /** {@code keel.listeners.<id>.retry.*}. */
  public Retry getRetry() {
    return retry;
  }

  /** {@code keel.listeners.<id>.retry.*}: see {@link KeelRetry}. */
  public static class Retry {
    private Integer maxAttempts;
    private Duration initialDelay;
    private Duration maxDelay;
    private Double multiplier;

    /** Attempts in place, the first included. */
    public Integer getMaxAttempts() {
      return maxAttempts;
    }

    /** Sets {@code keel.listeners.<id>.retry.max-attempts}. */
    public void setMaxAttempts(Integer maxAttempts) {
      this.maxAttempts = maxAttempts;
    }

    /** Delay before the second attempt. */
    public Duration getInitialDelay() {
      return initialDelay;
    }

    /** Sets {@code keel.listeners.<id>.retry.initial-delay}. */
    public void setInitialDelay(Duration initialDelay) {
      this.initialDelay = initialDelay;
    }

    /** Largest delay between attempts. */
    public Duration getMaxDelay() {
      return maxDelay;
    }

    /** Sets {@code keel.listeners.<id>.retry.max-delay}. */
    public void setMaxDelay(Duration maxDelay) {
      this.maxDelay = maxDelay;
    }

    /** Backoff multiplier. */
    public Double getMultiplier() {
      return multiplier;
    }

    /** Sets {@code keel.listeners.<id>.retry.multiplier}. */
    public void setMultiplier(Double multiplier) {
      this.multiplier = multiplier;
    }
  }
}
