package dev.keel.outbox.internal;

import dev.keel.event.config.SchemaPolicy;
import dev.keel.event.sql.SqlDialect;
import dev.keel.event.sql.TableNames;
import dev.keel.outbox.CleanupMode;
import dev.keel.outbox.OutboxRelayListener;
import dev.keel.outbox.observation.OutboxSendObservationConvention;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.observation.ObservationRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import javax.sql.DataSource;

/** The validated, immutable configuration of a relay. */
public record RelayConfig(
    DataSource dataSource,
    String jdbcUrl,
    String jdbcUser,
    String jdbcPassword,
    Map<String, Object> producerProperties,
    int lanes,
    int batchSize,
    long maxBytesPerPass,
    int workers,
    Duration pollInterval,
    Duration leaseDuration,
    Duration closeTimeout,
    Duration ackTimeout,
    Duration backoffInitial,
    Duration backoffMax,
    CleanupMode cleanupMode,
    Duration publishedRetention,
    TableNames tableNames,
    SqlDialect dialect,
    Clock clock,
    MeterRegistry meterRegistry,
    OutboxRelayListener listener,
    String instanceId,
    boolean strictOrdering,
    int maxAttempts,
    SchemaPolicy schemaPolicy,
    boolean listenNotify,
    boolean cursorClaims,
    ObservationRegistry observationRegistry,
    OutboxSendObservationConvention sendConvention) {

  /** Never prints the password or producer properties (they may hold secrets). */
  @Override
  public String toString() {
    return "RelayConfig{lanes="
        + lanes
        + ", batchSize="
        + batchSize
        + ", maxBytesPerPass="
        + maxBytesPerPass
        + ", workers="
        + workers
        + ", ackTimeout="
        + ackTimeout
        + ", leaseDuration="
        + leaseDuration
        + ", cleanup="
        + cleanupMode
        + ", tables="
        + tableNames
        + ", strictOrdering="
        + strictOrdering
        + ", cursorClaims="
        + cursorClaims
        + "}";
  }
}
