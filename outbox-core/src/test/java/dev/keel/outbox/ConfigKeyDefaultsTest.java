package dev.keel.outbox;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.event.config.ConfigKey;
import dev.keel.event.config.SchemaPolicy;
import dev.keel.outbox.internal.RelayConfig;
import java.util.Map;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;

/**
 * A builder left alone holds {@link ConfigKey}'s defaults: a default changed on one side only fails
 * here.
 */
class ConfigKeyDefaultsTest {
  @Test
  void outboxBuilderStartsFromTheKeys() {
    Outbox.Builder b = Outbox.builder();
    assertThat(b.configuredMaxPayloadBytes())
        .isEqualTo(ConfigKey.OUTBOX_MAX_PAYLOAD_BYTES.intDefault())
        .isEqualTo(1_048_576);
    assertThat(b.build().lanes()).isEqualTo(ConfigKey.OUTBOX_LANES.intDefault()).isEqualTo(16);
  }

  @Test
  void relayBuilderStartsFromTheKeys() {
    RelayConfig c =
        OutboxRelay.builder()
            .dataSource(new JdbcDataSource())
            .producerProperties(Map.of("bootstrap.servers", "127.0.0.1:9"))
            .config();
    assertThat(c.lanes()).isEqualTo(ConfigKey.RELAY_LANES.intDefault());
    assertThat(OutboxRelay.DEFAULT_LANES).isEqualTo(ConfigKey.RELAY_LANES.intDefault());
    assertThat(c.batchSize()).isEqualTo(ConfigKey.RELAY_BATCH_SIZE.intDefault()).isEqualTo(500);
    assertThat(c.maxBytesPerPass())
        .isEqualTo(ConfigKey.RELAY_MAX_BYTES_PER_PASS.longDefault())
        .isEqualTo(OutboxRelay.DEFAULT_MAX_BYTES_PER_PASS);
    assertThat(c.pollInterval()).isEqualTo(ConfigKey.RELAY_POLL_INTERVAL.durationDefault());
    assertThat(c.leaseDuration()).isEqualTo(ConfigKey.RELAY_LEASE_DURATION.durationDefault());
    assertThat(c.closeTimeout()).isEqualTo(ConfigKey.RELAY_CLOSE_TIMEOUT.durationDefault());
    assertThat(c.ackTimeout()).isEqualTo(ConfigKey.RELAY_ACK_TIMEOUT.durationDefault());
    assertThat(c.backoffInitial()).isEqualTo(ConfigKey.RELAY_BACKOFF_INITIAL.durationDefault());
    assertThat(c.backoffMax()).isEqualTo(ConfigKey.RELAY_BACKOFF_MAX.durationDefault());
    assertThat(c.strictOrdering()).isEqualTo(ConfigKey.RELAY_STRICT_ORDERING.boolDefault());
    assertThat(c.maxAttempts()).isEqualTo(ConfigKey.RELAY_MAX_ATTEMPTS.intDefault());
    assertThat(c.listenNotify()).isEqualTo(ConfigKey.RELAY_LISTEN_NOTIFY.boolDefault());
    assertThat(c.schemaPolicy())
        .isEqualTo(ConfigKey.DATABASE_SCHEMA_POLICY.enumDefault(SchemaPolicy.class));
    assertThat(c.tableNames().prefix()).isEqualTo(ConfigKey.DATABASE_TABLE_PREFIX.stringDefault());
    // keys whose default is empty: unset or computed, as their docs say
    assertThat(ConfigKey.RELAY_PUBLISHED_RETENTION.defaultValue()).contains("");
    assertThat(c.cleanupMode()).isEqualTo(CleanupMode.DELETE);
    assertThat(ConfigKey.RELAY_WORKERS.defaultValue()).contains("");
    assertThat(ConfigKey.RELAY_WORKERS.doc()).contains("computed");
    int processors = Runtime.getRuntime().availableProcessors();
    assertThat(c.workers()).isEqualTo(Math.min(4, Math.max(2, processors)));
    assertThat(ConfigKey.RELAY_INSTANCE_ID.doc()).contains("computed");
    assertThat(c.instanceId()).isNull();
  }
}
