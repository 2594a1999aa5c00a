package dev.keel.event.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keel.event.KeelConfigurationException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;

class KeelSettingsTest {

  @Test
  void everyKeyHasADocAndADefaultOfItsOwnType() {
    KeelSettings none = KeelSettings.empty();
    for (ConfigKey k : ConfigKey.values()) {
      assertThat(k.doc()).as(k.name()).isNotBlank();
      assertThat(k.key()).as(k.name()).matches("[a-z]+\\.[a-z.*-]+");
      String d = k.defaultValue().orElse("");
      if (d.isEmpty()) {
        continue;
      }
      switch (k.type()) {
        case INT, LONG -> assertThat(none.longValue(k)).isBetween(k.min(), k.max());
        case DURATION -> assertThat(none.duration(k).isNegative()).isFalse();
        case BOOLEAN -> none.bool(k);
        case DOUBLE -> none.doubleValue(k);
        default -> assertThat(none.string(k)).isEqualTo(d);
      }
    }
  }

  @Test
  void everyKeyIsKnownUnderItsFullName() {
    Properties p = new Properties();
    for (ConfigKey k : ConfigKey.values()) {
      p.setProperty(k.key("keel").replace("*", "security.protocol"), "x");
    }
    assertThat(KeelSettings.of(p).unknownKeys()).isEmpty();
  }

  @Test
  void readsTypedValuesUnderThePrefix() {
    KeelSettings s =
        KeelSettings.of(
            Map.of(
                "app.keel.relay.lanes", " 32 ",
                "app.keel.relay.poll-interval", "250ms",
                "app.keel.relay.lease-duration", "PT15S",
                "app.keel.consumer.dedupe-retention", "7d",
                "app.keel.relay.strict-ordering", "TRUE",
                "app.keel.consumer.retry-tiers", "1m, 10m,1h",
                "app.keel.dlq.replay-rate", "12.5",
                "keel.relay.lanes", "2"),
            "app.keel");
    assertThat(s.intValue(ConfigKey.RELAY_LANES)).isEqualTo(32);
    assertThat(s.duration(ConfigKey.RELAY_POLL_INTERVAL)).isEqualTo(Duration.ofMillis(250));
    assertThat(s.duration(ConfigKey.RELAY_LEASE_DURATION)).isEqualTo(Duration.ofSeconds(15));
    assertThat(s.duration(ConfigKey.CONSUMER_DEDUPE_RETENTION)).isEqualTo(Duration.ofDays(7));
    assertThat(s.bool(ConfigKey.RELAY_STRICT_ORDERING)).isTrue();
    assertThat(s.durations(ConfigKey.CONSUMER_RETRY_TIERS))
        .containsExactly(Duration.ofMinutes(1), Duration.ofMinutes(10), Duration.ofHours(1));
    assertThat(s.doubleValue(ConfigKey.DLQ_REPLAY_RATE)).isEqualTo(12.5);
    assertThat(s.name(ConfigKey.RELAY_LANES)).isEqualTo("app.keel.relay.lanes");
  }

  @Test
  void defaultsApplyToKeysLeftOut() {
    KeelSettings s = KeelSettings.empty();
    assertThat(s.intValue(ConfigKey.OUTBOX_LANES)).isEqualTo(16);
    assertThat(s.duration(ConfigKey.RELAY_ACK_TIMEOUT)).isEqualTo(Duration.ofSeconds(30));
    assertThat(s.duration(ConfigKey.CONSUMER_COMMIT_INTERVAL)).isZero();
    assertThat(s.string(ConfigKey.DATABASE_TABLE_PREFIX)).isEqualTo("keel_");
    assertThat(s.enumValue(ConfigKey.DATABASE_SCHEMA_POLICY, SchemaPolicy.class))
        .contains(SchemaPolicy.INSTALL);
    assertThat(s.list(ConfigKey.OUTBOX_REQUIRE_KEY)).isEmpty();
    assertThat(s.has(ConfigKey.RELAY_WORKERS)).isFalse();
  }

  @Test
  void outOfBoundsNamesTheKeyTheRuleAndTheValue() {
    KeelSettings s = KeelSettings.of(Map.of("keel.relay.lanes", "0"));
    assertThatThrownBy(() -> s.intValue(ConfigKey.RELAY_LANES))
        .isInstanceOf(KeelConfigurationException.class)
        .hasMessage("keel.relay.lanes must be between 1 and 4096, was 0");
  }

  @Test
  void everyNumericKeyRefusesTextAndOutOfBoundsNamingTheKey() {
    for (ConfigKey k : ConfigKey.values()) {
      if (k.type() != ConfigKey.Type.INT && k.type() != ConfigKey.Type.LONG) {
        continue;
      }
      KeelSettings text = KeelSettings.of(Map.of(k.key("keel"), "many"));
      assertThatThrownBy(() -> text.longValue(k))
          .isInstanceOf(KeelConfigurationException.class)
          .hasMessageStartingWith(k.key("keel") + " must be a whole number");
      KeelSettings above = KeelSettings.of(Map.of(k.key("keel"), String.valueOf(k.max() + 1)));
      assertThatThrownBy(() -> above.longValue(k))
          .hasMessageStartingWith(k.key("keel") + " must be between " + k.min());
    }
  }

  @Test
  void badDurationsBooleansAndEnumsNameTheKey() {
    KeelSettings s =
        KeelSettings.of(
            Map.of(
                "keel.relay.poll-interval", "soon",
                "keel.relay.ack-timeout", "-PT1S",
                "keel.relay.listen-notify", "yes",
                "keel.database.schema-policy", "create",
                "keel.dlq.replay-rate", "fast"));
    assertThatThrownBy(() -> s.duration(ConfigKey.RELAY_POLL_INTERVAL))
        .hasMessageStartingWith("keel.relay.poll-interval must be a duration")
        .hasMessageEndingWith("was \"soon\"");
    assertThatThrownBy(() -> s.duration(ConfigKey.RELAY_ACK_TIMEOUT))
        .hasMessageStartingWith("keel.relay.ack-timeout must not be negative");
    assertThatThrownBy(() -> s.bool(ConfigKey.RELAY_LISTEN_NOTIFY))
        .hasMessageStartingWith("keel.relay.listen-notify must be true or false");
    assertThatThrownBy(() -> s.enumValue(ConfigKey.DATABASE_SCHEMA_POLICY, SchemaPolicy.class))
        .hasMessageStartingWith(
            "keel.database.schema-policy must be one of INSTALL, VALIDATE, NONE");
    assertThatThrownBy(() -> s.doubleValue(ConfigKey.DLQ_REPLAY_RATE))
        .hasMessageStartingWith("keel.dlq.replay-rate must be a number");
  }

  @Test
  void unknownKeysAreReportedAndRefusedBySection() {
    KeelSettings s =
        KeelSettings.of(
            Map.of(
                "keel.relay.lane", "4",
                "keel.relay.Lanes", "4",
                "keel.relay.lanes", "4",
                "keel.outbx.lanes", "4",
                "keel.kafka.properties.security.protocol", "SSL",
                "other.key", "x"));
    assertThat(s.unknownKeys())
        .containsExactly("keel.outbx.lanes", "keel.relay.Lanes", "keel.relay.lane");
    assertThatThrownBy(() -> s.requireKnown("relay"))
        .isInstanceOf(KeelConfigurationException.class)
        .hasMessageStartingWith(
            "Unknown Keel configuration key(s) keel.relay.Lanes, keel.relay.lane;")
        .hasMessageContaining("keel.relay.lanes");
    s.requireKnown("kafka");
  }

  @Test
  void toStringMasksSecrets() {
    KeelSettings s =
        KeelSettings.of(
            Map.of(
                "keel.kafka.properties.sasl.jaas.config",
                    "org.Login required password=\"hunter2\";",
                "keel.kafka.properties.ssl.key.password", "hunter3"));
    assertThat(s.toString()).doesNotContain("hunter2").doesNotContain("hunter3").contains("****");
  }

  @Test
  void listsDropEmptyItems() {
    KeelSettings s = KeelSettings.of(Map.of("keel.outbox.require-key", " orders, ,payments,"));
    assertThat(s.list(ConfigKey.OUTBOX_REQUIRE_KEY)).isEqualTo(List.of("orders", "payments"));
  }
}
