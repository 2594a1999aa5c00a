package dev.keel.spring.boot.autoconfigure.actuate;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * {@code keel.actuator.*}: the thresholds of Keel's health contributors and whether the {@code
 * keel} endpoint exposes operations that change state.
 */
@ConfigurationProperties(prefix = "keel.actuator")
public class KeelActuatorProperties {
  private final Health health = new Health();
  private final Operations operations = new Operations();

  /** The most entries of each list the keel endpoint shows, 1 to 1000. */
  private int listLimit = 20;

  /** Creates the properties with their defaults; Spring binds them. */
  public KeelActuatorProperties() {}

  /** {@code keel.actuator.health.*}. */
  public Health getHealth() {
    return health;
  }

  /** {@code keel.actuator.operations.*}. */
  public Operations getOperations() {
    return operations;
  }

  /**
   * The most entries of each list the endpoint shows (quarantined rows, dead letters, sagas); 20 by
   * default.
   */
  public int getListLimit() {
    return listLimit;
  }

  /**
   * Sets {@code keel.actuator.list-limit}.
   *
   * @param listLimit 1 to 1,000
   */
  public void setListLimit(int listLimit) {
    if (listLimit < 1 || listLimit > 1000) {
      throw new IllegalArgumentException(
          "keel.actuator.list-limit must be between 1 and 1000, was " + listLimit);
    }
    this.listLimit = listLimit;
  }

  /** {@code keel.actuator.health.*}: when Keel's health contributors leave {@code UP}. */
  public static class Health {
    /** The outbox health turns DOWN when its oldest unpublished row is older than this. */
    private Duration outboxLagThreshold = Duration.ofMinutes(5);

    /** The dead-letter health turns OUT_OF_SERVICE when more dead letters than this wait. */
    private long deadLettersThreshold = 0;

    /**
     * A saga in flight without progress for longer than this is stuck; keel.saga.stuck-threshold
     * when not set.
     */
    private Duration sagaStuckThreshold;

    /** Creates the defaults. */
    public Health() {}

    /**
     * The outbox turns {@code DOWN} when its oldest unpublished row is older than this; 5 minutes
     * by default.
     */
    public Duration getOutboxLagThreshold() {
      return outboxLagThreshold;
    }

    /**
     * Sets {@code keel.actuator.health.outbox-lag-threshold}.
     *
     * @param threshold at least one second
     */
    public void setOutboxLagThreshold(Duration threshold) {
      if (threshold == null || threshold.compareTo(Duration.ofSeconds(1)) < 0) {
        throw new IllegalArgumentException(
            "keel.actuator.health.outbox-lag-threshold must be at least 1s, was " + threshold);
      }
      this.outboxLagThreshold = threshold;
    }

    /**
     * Dead letters turn {@code OUT_OF_SERVICE} when more than this many wait ({@code DEAD}); 0 by
     * default: any dead letter waiting.
     */
    public long getDeadLettersThreshold() {
      return deadLettersThreshold;
    }

    /**
     * Sets {@code keel.actuator.health.dead-letters-threshold}.
     *
     * @param threshold 0 or more
     */
    public void setDeadLettersThreshold(long threshold) {
      if (threshold < 0) {
        throw new IllegalArgumentException(
            "keel.actuator.health.dead-letters-threshold must be 0 or more, was " + threshold);
      }
      this.deadLettersThreshold = threshold;
    }

    /**
     * A saga in flight without progress for longer than this is stuck; {@code
     * keel.saga.stuck-threshold} (10 minutes by default) when not set.
     */
    public Duration getSagaStuckThreshold() {
      return sagaStuckThreshold;
    }

    /**
     * Sets {@code keel.actuator.health.saga-stuck-threshold}.
     *
     * @param threshold at least one second
     */
    public void setSagaStuckThreshold(Duration threshold) {
      if (threshold != null && threshold.compareTo(Duration.ofSeconds(1)) < 0) {
        throw new IllegalArgumentException(
            "keel.actuator.health.saga-stuck-threshold must be at least 1s, was " + threshold);
      }
      this.sagaStuckThreshold = threshold;
    }
  }

  /** {@code keel.actuator.operations.*}. */
  public static class Operations {
    /**
     * Whether the keel endpoint has its write operations (replay, discard, retry, resolve, resume),
     * each audited under the authenticated principal.
     */
    private boolean enabled;

    /** Creates the defaults. */
    public Operations() {}

    /**
     * Whether the {@code keel} endpoint has its write operations (replay and discard a dead letter,
     * retry or resolve a saga's compensation, retry or discard a quarantined outbox row, resume a
     * lane). Off by default: the operations do not exist then.
     */
    public boolean isEnabled() {
      return enabled;
    }

    /**
     * Sets {@code keel.actuator.operations.enabled}.
     *
     * @param enabled whether the operations exist
     */
    public void setEnabled(boolean enabled) {
      this.enabled = enabled;
    }
  }
}
