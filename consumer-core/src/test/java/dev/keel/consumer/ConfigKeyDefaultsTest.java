package dev.keel.consumer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.consumer.internal.RuntimeConfig;
import dev.keel.event.config.ConfigKey;
import dev.keel.event.config.SchemaPolicy;
import java.util.Map;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;

/**
 * A runtime builder left alone holds {@link ConfigKey}'s defaults: a default changed on one side
 * only fails here.
 */
class ConfigKeyDefaultsTest {
  @Test
  void runtimeBuilderStartsFromTheKeys() {
    RuntimeConfig c =
        ConsumerRuntime.builder()
            .consumerProperties(Map.of("bootstrap.servers", "127.0.0.1:9"))
            .dataSource(new JdbcDataSource())
            .config();
    assertThat(c.threads()).isEqualTo(ConfigKey.CONSUMER_THREADS.intDefault());
    assertThat(c.maxInFlight()).isEqualTo(ConfigKey.CONSUMER_MAX_IN_FLIGHT.intDefault());
    assertThat(c.maxBatchSize()).isEqualTo(ConfigKey.CONSUMER_MAX_BATCH_SIZE.intDefault());
    assertThat(c.orderedMode()).isEqualTo(ConfigKey.CONSUMER_ORDERED_MODE.boolDefault());
    assertThat(ConfigKey.CONSUMER_RETRY_TIERS.defaultValue()).contains("");
    assertThat(c.retryTierDelays()).isEmpty();
    assertThat(c.dedupeRetention())
        .isEqualTo(ConfigKey.CONSUMER_DEDUPE_RETENTION.durationDefault());
    assertThat(c.cleanupInterval())
        .isEqualTo(ConfigKey.CONSUMER_CLEANUP_INTERVAL.durationDefault());
    assertThat(c.cleanupBatchSize()).isEqualTo(ConfigKey.CONSUMER_CLEANUP_BATCH_SIZE.intDefault());
    assertThat(c.cleanupMaxRowsPerRun())
        .isEqualTo(ConfigKey.CONSUMER_CLEANUP_MAX_ROWS_PER_RUN.longDefault());
    assertThat(c.pollTimeout()).isEqualTo(ConfigKey.CONSUMER_POLL_TIMEOUT.durationDefault());
    assertThat(c.commitInterval()).isEqualTo(ConfigKey.CONSUMER_COMMIT_INTERVAL.durationDefault());
    assertThat(c.closeTimeout()).isEqualTo(ConfigKey.CONSUMER_CLOSE_TIMEOUT.durationDefault());
    assertThat(c.schemaPolicy())
        .isEqualTo(ConfigKey.DATABASE_SCHEMA_POLICY.enumDefault(SchemaPolicy.class));
    assertThat(c.tableNames().prefix()).isEqualTo(ConfigKey.DATABASE_TABLE_PREFIX.stringDefault());
  }
}
