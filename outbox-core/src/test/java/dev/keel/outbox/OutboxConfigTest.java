package dev.keel.outbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keel.event.KeelConfigurationException;
import dev.keel.event.sql.TableNames;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class OutboxConfigTest {
  private static final Map<String, Object> KAFKA = Map.of("bootstrap.servers", "127.0.0.1:1");

  private static OutboxRelay.Builder valid() {
    return OutboxRelay.builder()
        .jdbcUrl("jdbc:postgresql://127.0.0.1:1/x", "u", "p")
        .producerProperties(KAFKA);
  }

  @ParameterizedTest
  @ValueSource(strings = {"\"; drop table x; --", "keel\"", "Keel_", "a b", "x;y", "k`"})
  void hostileTablePrefixesAreRejectedAtBuildTime(String prefix) {
    assertThatThrownBy(() -> valid().tableNames(TableNames.withPrefix(prefix)).build())
        .isInstanceOf(KeelConfigurationException.class)
        .hasMessageContaining("TableNames.prefix");
  }

  @Test
  void invalidSettingsNameTheProperty() {
    assertThatThrownBy(() -> valid().lanes(0).build())
        .hasMessage("OutboxRelay.lanes must be between 1 and 4096, was 0");
    assertThatThrownBy(() -> valid().batchSize(0).build())
        .hasMessageContaining("OutboxRelay.batchSize");
    assertThatThrownBy(() -> valid().pollInterval(Duration.ZERO).build())
        .hasMessageContaining("OutboxRelay.pollInterval");
    assertThatThrownBy(() -> valid().leaseDuration(Duration.ofMillis(10)).build())
        .hasMessageContaining("OutboxRelay.leaseDuration");
    assertThatThrownBy(() -> valid().maxBytesPerPass(1000).build())
        .hasMessage("OutboxRelay.maxBytesPerPass must be between 65536 and 1073741824, was 1000");
    assertThatThrownBy(() -> valid().maxBytesPerPass(2L << 30).build())
        .hasMessageContaining("OutboxRelay.maxBytesPerPass");
    assertThatThrownBy(() -> valid().ackTimeout(Duration.ZERO).build())
        .hasMessageContaining("OutboxRelay.ackTimeout");
    assertThatThrownBy(() -> valid().ackTimeout(null).build())
        .hasMessageContaining("OutboxRelay.ackTimeout");
    assertThatThrownBy(() -> valid().producerProperties(Map.of()).build())
        .hasMessageContaining("bootstrap.servers");
    assertThatThrownBy(
            () -> valid().producerProperties(Map.of("bootstrap.servers", "x", "acks", "1")).build())
        .hasMessageContaining("acks must be all");
    assertThatThrownBy(
            () ->
                valid()
                    .producerProperties(
                        Map.of("bootstrap.servers", "x", "enable.idempotence", "false"))
                    .build())
        .hasMessageContaining("enable.idempotence");
    assertThatThrownBy(() -> OutboxRelay.builder().producerProperties(KAFKA).build())
        .hasMessageContaining("dataSource or jdbcUrl");
    assertThatThrownBy(() -> Outbox.builder().lanes(5000).build())
        .hasMessageContaining("Outbox.lanes");
    assertThatThrownBy(() -> Outbox.builder().maxPayloadBytes(0).build())
        .hasMessageContaining("Outbox.maxPayloadBytes");
  }

  @Test
  void configNeverPrintsSecrets() {
    OutboxRelay relay =
        valid()
            .producerProperties(
                Map.of(
                    "bootstrap.servers",
                    "x",
                    "sasl.jaas.config",
                    "org.apache.kafka.common.security.plain.PlainLoginModule required password=\"hunter2\";"))
            .build();
    assertThat(relay.toString()).doesNotContain("hunter2");
    relay.close();
  }

  @Test
  void lanesAreStableAcrossInstances() {
    Outbox a = Outbox.builder().lanes(16).build();
    Outbox b = Outbox.builder().lanes(16).build();
    for (int i = 0; i < 1000; i++) {
      assertThat(a.laneOf("order-" + i)).isEqualTo(b.laneOf("order-" + i)).isBetween(0, 15);
    }
    assertThat(a.laneOf("order-1")).isEqualTo(a.laneOf("order-1"));
  }
}
