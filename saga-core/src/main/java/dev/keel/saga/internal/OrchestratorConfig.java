package dev.keel.saga.internal;

import dev.keel.consumer.ConsumerRuntime;
import dev.keel.event.config.SchemaPolicy;
import dev.keel.event.sql.SqlDialect;
import dev.keel.event.sql.TableNames;
import dev.keel.outbox.Outbox;
import dev.keel.saga.SagaDefinition;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import javax.sql.DataSource;

/**
 * The validated configuration of an orchestrator, as {@code SagaOrchestrator.Builder} copied it.
 *
 * @param dataSource the database
 * @param dialect the dialect, null to detect
 * @param tableNames schema and prefix
 * @param outbox the outbox
 * @param consumerProperties Kafka consumer properties
 * @param consumerCustomizer tunes the reply consumer
 * @param group the reply consumer group
 * @param definitions the definitions
 * @param clock the clock
 * @param meterRegistry meters, may be null
 * @param scanInterval deadline scan interval
 * @param scanBatchSize sagas per scan
 * @param stuckThreshold the stuck gauge's threshold
 * @param schemaPolicy what start does about the tables
 */
public record OrchestratorConfig(
    DataSource dataSource,
    SqlDialect dialect,
    TableNames tableNames,
    Outbox outbox,
    Map<String, Object> consumerProperties,
    UnaryOperator<ConsumerRuntime.Builder> consumerCustomizer,
    String group,
    List<SagaDefinition<?>> definitions,
    Clock clock,
    MeterRegistry meterRegistry,
    Duration scanInterval,
    int scanBatchSize,
    Duration stuckThreshold,
    SchemaPolicy schemaPolicy) {}
