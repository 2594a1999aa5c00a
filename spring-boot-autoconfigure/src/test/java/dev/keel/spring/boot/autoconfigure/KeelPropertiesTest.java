package dev.keel.spring.boot.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keel.event.KeelConfigurationException;
import dev.keel.event.config.ConfigKey;
import dev.keel.event.config.KeelSettings;
import dev.keel.event.config.SchemaPolicy;
import dev.keel.event.sql.SqlDialect;
import dev.keel.outbox.OutboxRelay;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

/** {@link KeelProperties} maps every {@link ConfigKey} one-to-one and leaves defaults to Keel. */
class KeelPropertiesTest {

  private static KeelProperties bind(Map<String, String> properties) {
    return new Binder(new MapConfigurationPropertySource(properties))
        .bindOrCreate("keel", KeelProperties.class);
  }

  /** A valid value of a key, written as an application.properties user would. */
  private static String sample(ConfigKey key) {
    return switch (key) {
      case DATABASE_SCHEMA_POLICY -> "validate";
      case DATABASE_DIALECT -> "postgres";
      case CONSUMER_RETRY_TIERS -> "1m,10m";
      case KAFKA_BOOTSTRAP_SERVERS -> "kafka-1:9092,kafka-2:9092";
      default ->
          switch (key.type()) {
            case STRING -> "value-" + key.ordinal();
            case INT, LONG -> Long.toString(key.min() == Long.MIN_VALUE ? 7 : key.min() + 1);
            case DOUBLE -> "2.5";
            case BOOLEAN -> "true";
            case DURATION -> "3s";
            case LIST -> "a,b";
            case ENUM, MAP -> throw new AssertionError("no sample for " + key);
          };
    };
  }

  @Test
  void everyConfigKeyIsBoundAtItsOwnNameAndReadBackByKeel() {
    for (ConfigKey key : ConfigKey.values()) {
      Map<String, String> props = new HashMap<>();
      String name =
          key.type() == ConfigKey.Type.MAP
              ? "keel.kafka.properties.security.protocol"
              : key.key("keel");
      props.put(name, key.type() == ConfigKey.Type.MAP ? "SASL_SSL" : sample(key));
      KeelSettings settings = bind(props).toSettings();

      assertThat(settings.unknownKeys()).as(key.name()).isEmpty();
      switch (key.type()) {
        case MAP ->
            assertThat(settings.map(key))
                .containsExactly(Map.entry("security.protocol", "SASL_SSL"));
        case INT ->
            assertThat(settings.intValue(key))
                .as(key.name())
                .isEqualTo(Integer.parseInt(sample(key)));
        case LONG ->
            assertThat(settings.longValue(key))
                .as(key.name())
                .isEqualTo(Long.parseLong(sample(key)));
        case DOUBLE -> assertThat(settings.doubleValue(key)).isEqualTo(2.5);
        case BOOLEAN -> assertThat(settings.bool(key)).as(key.name()).isTrue();
        case DURATION ->
            assertThat(settings.duration(key)).as(key.name()).isEqualTo(Duration.ofSeconds(3));
        case STRING -> assertThat(settings.string(key)).as(key.name()).isEqualTo(sample(key));
        case LIST ->
            assertThat(
                    key == ConfigKey.CONSUMER_RETRY_TIERS
                        ? settings.durations(key)
                        : settings.list(key))
                .as(key.name())
                .isEqualTo(
                    key == ConfigKey.CONSUMER_RETRY_TIERS
                        ? List.of(Duration.ofMinutes(1), Duration.ofMinutes(10))
                        : List.of("a", "b"));
        case ENUM ->
            assertThat(
                    key == ConfigKey.DATABASE_DIALECT
                        ? settings.enumValue(key, SqlDialect.class).orElseThrow()
                        : settings.enumValue(key, SchemaPolicy.class).orElseThrow())
                .as(key.name())
                .isIn(SqlDialect.POSTGRES, SchemaPolicy.VALIDATE);
      }
    }
  }

  @Test
  void unsetPropertiesLeaveEveryDefaultToConfigKey() {
    KeelSettings settings = bind(Map.of()).toSettings();
    for (ConfigKey key : ConfigKey.values()) {
      assertThat(settings.has(key)).as(key.name()).isFalse();
    }
    assertThat(settings.intValue(ConfigKey.RELAY_LANES)).isEqualTo(OutboxRelay.DEFAULT_LANES);
  }

  @Test
  void keelValidatesTheBoundValuesAndNamesTheKey() {
    KeelSettings settings = bind(Map.of("keel.relay.lanes", "0")).toSettings();
    assertThatThrownBy(() -> settings.intValue(ConfigKey.RELAY_LANES))
        .isInstanceOf(KeelConfigurationException.class)
        .hasMessageContaining("keel.relay.lanes");
  }

  @Test
  void theStartersSwitchesAreOnByDefaultAndNotPassedToKeel() {
    KeelProperties on = bind(Map.of());
    assertThat(on.getOutbox().isEnabled()).isTrue();
    assertThat(on.getRelay().isEnabled()).isTrue();
    assertThat(on.getListeners().isEnabled()).isTrue();
    KeelProperties off =
        bind(
            Map.of(
                "keel.outbox.enabled", "false",
                "keel.relay.enabled", "false",
                "keel.listeners.enabled", "false"));
    assertThat(off.getOutbox().isEnabled()).isFalse();
    assertThat(off.getRelay().isEnabled()).isFalse();
    assertThat(off.getListeners().isEnabled()).isFalse();
    assertThat(off.toSettings().unknownKeys()).isEmpty();
  }
}
