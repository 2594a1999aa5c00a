package dev.keel.spring.boot.autoconfigure.actuate;

import dev.keel.spring.boot.autoconfigure.actuate.internal.KeelSection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.springframework.boot.health.contributor.CompositeHealthContributor;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;

/**
 * The {@code keel} health contributor: one indicator per check of the Keel modules present.
 *
 * <ul>
 *   <li>{@code relayLanes}: {@code DOWN} while a relay lane is stopped (a strict lane stops on a
 *       row it cannot publish; its events wait until an operator resumes it), with each stopped
 *       lane and its reason;
 *   <li>{@code outboxLag}: {@code DOWN} when the oldest unpublished row is older than {@code
 *       keel.actuator.health.outbox-lag-threshold} (5 minutes by default): the relay does not run
 *       or does not keep up; with the rows waiting and the oldest one's age;
 *   <li>{@code deadLetters}: {@code OUT_OF_SERVICE} when more dead letters wait than {@code
 *       keel.actuator.health.dead-letters-threshold} (0 by default), with their count, the blocked
 *       keys and the oldest one;
 *   <li>{@code sagas}: {@code OUT_OF_SERVICE} while a saga is failed in compensation (not resolved)
 *       or stuck (in flight without progress for longer than {@code
 *       keel.actuator.health.saga-stuck-threshold}, else {@code keel.saga.stuck-threshold}), with
 *       the sagas' ids, steps and reasons.
 * </ul>
 *
 * <p>{@code DOWN} means that Keel does not deliver: events wait unpublished. {@code OUT_OF_SERVICE}
 * means that Keel delivers but work is set aside for an operator. A check whose query fails (the
 * database does not answer, Keel's tables are missing) is {@code UNKNOWN} with the error, so that
 * the data source's own indicator, not Keel's, reports the database down. Each status maps to HTTP
 * as Boot maps it ({@code DOWN} and {@code OUT_OF_SERVICE} to 503 by default); include {@code keel}
 * in a health group (or leave it out of the readiness group) as the deployment needs. {@code
 * management.health.keel.enabled=false} turns the contributor off.
 */
public final class KeelHealth {
  private KeelHealth() {}

  /**
   * The composite contributor of the sections' checks.
   *
   * @param sections what each Keel module checks
   * @return the contributor
   */
  public static CompositeHealthContributor of(List<KeelSection> sections) {
    Map<String, HealthIndicator> indicators = new LinkedHashMap<>();
    for (KeelSection s : sections) {
      s.checks().forEach((name, check) -> indicators.put(name, indicator(check)));
    }
    return CompositeHealthContributor.fromMap(indicators);
  }

  static HealthIndicator indicator(Supplier<KeelSection.Check> check) {
    return () -> {
      KeelSection.Check c;
      try {
        c = check.get();
      } catch (RuntimeException e) {
        return Health.unknown()
            .withDetail("error", e.getClass().getName() + ": " + e.getMessage())
            .build();
      }
      Status status =
          switch (c.level()) {
            case UP -> Status.UP;
            case DOWN -> Status.DOWN;
            case OUT_OF_SERVICE -> Status.OUT_OF_SERVICE;
            case UNKNOWN -> Status.UNKNOWN;
          };
      return Health.status(status).withDetails(c.details()).build();
    };
  }
}
