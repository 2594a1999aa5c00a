package dev.keel.event.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keel.event.sql.TableNames;
import java.time.Duration;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;

/** The typed defaults of {@link ConfigKey} are parsed as {@link KeelSettings} parses values. */
class ConfigKeyDefaultsTest {
  @Test
  void typedDefaultsMatchWhatSettingsReadWhenNothingIsSet() {
    KeelSettings none = KeelSettings.empty();
    for (ConfigKey k : ConfigKey.values()) {
      if (k.defaultValue().filter(d -> !d.isEmpty()).isEmpty()) {
        continue;
      }
      switch (k.type()) {
        case INT -> assertThat(k.intDefault()).as(k.key()).isEqualTo(none.intValue(k));
        case LONG -> assertThat(k.longDefault()).as(k.key()).isEqualTo(none.longValue(k));
        case DOUBLE -> assertThat(k.doubleDefault()).as(k.key()).isEqualTo(none.doubleValue(k));
        case BOOLEAN -> assertThat(k.boolDefault()).as(k.key()).isEqualTo(none.bool(k));
        case DURATION -> assertThat(k.durationDefault()).as(k.key()).isEqualTo(none.duration(k));
        case STRING -> assertThat(k.stringDefault()).as(k.key()).isEqualTo(none.string(k));
        default -> {}
      }
    }
    assertThat(ConfigKey.RELAY_POLL_INTERVAL.durationDefault()).isEqualTo(Duration.ofMillis(500));
    assertThat(ConfigKey.CONSUMER_DEDUPE_RETENTION.durationDefault())
        .isEqualTo(Duration.ofDays(14));
  }

  @Test
  void aKeyWithoutASingleDefaultOrOfAnotherTypeIsRefusedByName() {
    assertThatThrownBy(ConfigKey.RELAY_WORKERS::intDefault)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("relay.workers has no single default")
        .hasMessageContaining("computed");
    assertThatThrownBy(ConfigKey.KAFKA_BOOTSTRAP_SERVERS::stringDefault)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("kafka.bootstrap-servers has no single default (required)");
    assertThatThrownBy(ConfigKey.RELAY_BATCH_SIZE::durationDefault)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("relay.batch-size is a INT key, not DURATION");
  }

  @Test
  void databaseBuilderAndTableNamesStartFromTheKeys() {
    KeelDatabase db = KeelDatabase.builder().dataSource(new JdbcDataSource()).build();
    assertThat(db.schemaPolicy())
        .isEqualTo(ConfigKey.DATABASE_SCHEMA_POLICY.enumDefault(SchemaPolicy.class));
    assertThat(db.tableNames().prefix())
        .isEqualTo(ConfigKey.DATABASE_TABLE_PREFIX.stringDefault())
        .isEqualTo(TableNames.DEFAULT_PREFIX);
  }
}
