package dev.keel.saga;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.event.config.ConfigKey;
import dev.keel.event.config.SchemaPolicy;
import dev.keel.outbox.Outbox;
import dev.keel.saga.internal.OrchestratorConfig;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;

/**
 * An orchestrator builder left alone holds {@link ConfigKey}'s defaults: a default changed on one
 * side only fails here.
 */
class ConfigKeyDefaultsTest {
  record Data(String id) {}

  @Test
  void orchestratorBuilderStartsFromTheKeys() {
    SagaDefinition<Data> local =
        SagaDefinition.builder("local-only", Data.class)
            .step("note", s -> s.local((tx, d) -> d).localCompensation((tx, d) -> d))
            .build();
    OrchestratorConfig c =
        SagaOrchestrator.builder()
            .dataSource(new JdbcDataSource())
            .outbox(Outbox.builder().build())
            .definition(local)
            .config();
    assertThat(c.group()).isEqualTo(ConfigKey.SAGA_GROUP.stringDefault());
    assertThat(c.scanInterval()).isEqualTo(ConfigKey.SAGA_SCAN_INTERVAL.durationDefault());
    assertThat(c.scanBatchSize()).isEqualTo(ConfigKey.SAGA_SCAN_BATCH_SIZE.intDefault());
    assertThat(c.stuckThreshold()).isEqualTo(ConfigKey.SAGA_STUCK_THRESHOLD.durationDefault());
    assertThat(c.schemaPolicy())
        .isEqualTo(ConfigKey.DATABASE_SCHEMA_POLICY.enumDefault(SchemaPolicy.class));
    assertThat(c.tableNames().prefix()).isEqualTo(ConfigKey.DATABASE_TABLE_PREFIX.stringDefault());
  }
}
