package dev.keel.consumer.internal;

import dev.keel.consumer.HandlerTransactions;
import dev.keel.consumer.observation.ConsumerProcessObservationConvention;
import dev.keel.dlq.DeadLetterPublisher;
import dev.keel.event.config.SchemaPolicy;
import dev.keel.event.contract.EventContracts;
import dev.keel.event.json.JsonCodec;
import dev.keel.event.sql.SqlDialect;
import dev.keel.event.sql.TableNames;
import dev.keel.retry.FailureClassifier;
import dev.keel.retry.RetryPolicy;
import dev.keel.retry.spi.Sleeper;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.observation.ObservationRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;

/**
 * The validated, immutable configuration of a runtime ({@code ConsumerRuntime.Builder#build()}
 * validated it). Never logged: the Kafka properties may hold secrets.
 */
public record RuntimeConfig(
    Map<String, Object> consumerProperties,
    Map<String, Object> producerProperties,
    DataSource dataSource,
    String jdbcUrl,
    String jdbcUser,
    String jdbcPassword,
    SqlDialect dialect,
    TableNames tableNames,
    SchemaPolicy schemaPolicy,
    EventContracts contracts,
    JsonCodec json,
    int threads,
    int maxInFlight,
    int maxBatchSize,
    RetryPolicy retryPolicy,
    FailureClassifier classifier,
    DeadLetterPublisher publisher,
    boolean orderedMode,
    List<Duration> retryTierDelays,
    Sleeper sleeper,
    MeterRegistry meterRegistry,
    Duration dedupeRetention,
    Duration cleanupInterval,
    int cleanupBatchSize,
    long cleanupMaxRowsPerRun,
    Duration pollTimeout,
    Duration commitInterval,
    Duration closeTimeout,
    Clock clock,
    ObservationRegistry observationRegistry,
    ConsumerProcessObservationConvention processConvention,
    HandlerTransactions transactions) {

  /** Names the shape only; properties and credentials stay out of logs. */
  @Override
  public String toString() {
    return "RuntimeConfig{threads="
        + threads
        + ", maxInFlight="
        + maxInFlight
        + ", maxBatchSize="
        + maxBatchSize
        + ", tables="
        + tableNames
        + "}";
  }
}
