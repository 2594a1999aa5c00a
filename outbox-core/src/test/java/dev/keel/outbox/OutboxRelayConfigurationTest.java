package dev.keel.outbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keel.event.KeelConfigurationException;
import dev.keel.event.config.KeelDatabase;
import dev.keel.event.config.KeelKafka;
import dev.keel.event.config.KeelSettings;
import dev.keel.event.sql.TableNames;
import io.micrometer.observation.ObservationRegistry;
import java.util.Map;
import java.util.Properties;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;

class OutboxRelayConfigurationTest {
  private final KeelDatabase db =
      KeelDatabase.builder()
          .dataSource(new JdbcDataSource())
          .tableNames(TableNames.of(null, "svc_"))
          .build();
  private final KeelKafka kafka = KeelKafka.builder().bootstrapServers("localhost:1").build();

  @Test
  void relayObservesNothingByDefaultAndRefusesANullRegistry() {
    assertThat(OutboxRelay.builder().database(db).kafka(kafka).config().observationRegistry())
        .isSameAs(ObservationRegistry.NOOP);
    assertThat(OutboxRelay.builder().database(db).kafka(kafka).config().sendConvention()).isNull();
    assertThatThrownBy(
            () -> OutboxRelay.builder().database(db).kafka(kafka).observationRegistry(null).build())
        .isInstanceOf(KeelConfigurationException.class)
        .hasMessageContaining("OutboxRelay.observationRegistry");
  }

  @Test
  void outboxKeysApply() {
    Properties p = new Properties();
    p.setProperty("keel.outbox.lanes", "32");
    p.setProperty("keel.outbox.max-payload-bytes", "2048");
    p.setProperty("keel.outbox.require-key", "orders, payments");
    Outbox outbox = Outbox.fromProperties(KeelSettings.of(p)).database(db).build();
    assertThat(outbox.lanes()).isEqualTo(32);
    assertThat(outbox.tableNames().prefix()).isEqualTo("svc_");
    assertThat(outbox.requiresKey("orders")).isTrue();
    assertThat(outbox.requiresKey("payments")).isTrue();
    assertThat(outbox.requiresKey("audit")).isFalse();
    Outbox all =
        Outbox.fromProperties(KeelSettings.of(Map.of("keel.outbox.require-key", "*"))).build();
    assertThat(all.requiresKey("audit")).isTrue();
  }

  @Test
  void lanesThatDisagreeWithTheOutboxNameBothValues() {
    Outbox outbox = Outbox.builder().lanes(64).build();
    assertThatThrownBy(
            () -> OutboxRelay.builder().database(db).kafka(kafka).lanes(16).outbox(outbox).build())
        .isInstanceOf(KeelConfigurationException.class)
        .hasMessage(
            "OutboxRelay.lanes (16) must equal the outbox's lanes (64); leave lanes unset to take"
                + " the outbox's");
  }

  @Test
  void relayKeysApplyAndBadOnesNameTheKey() {
    Properties p = new Properties();
    p.setProperty("keel.relay.batch-size", "100");
    p.setProperty("keel.relay.max-bytes-per-pass", "1048576");
    p.setProperty("keel.relay.workers", "2");
    p.setProperty("keel.relay.poll-interval", "200ms");
    p.setProperty("keel.relay.lease-duration", "5s");
    p.setProperty("keel.relay.close-timeout", "10s");
    p.setProperty("keel.relay.ack-timeout", "20s");
    p.setProperty("keel.relay.backoff-initial", "50ms");
    p.setProperty("keel.relay.backoff-max", "2s");
    p.setProperty("keel.relay.published-retention", "1d");
    p.setProperty("keel.relay.instance-id", "relay-a");
    p.setProperty("keel.relay.strict-ordering", "true");
    p.setProperty("keel.relay.max-attempts", "3");
    p.setProperty("keel.relay.listen-notify", "false");
    OutboxRelay relay =
        OutboxRelay.fromProperties(KeelSettings.of(p)).database(db).kafka(kafka).build();
    assertThat(relay.instanceId()).isEqualTo("relay-a");

    assertThatThrownBy(
            () -> OutboxRelay.fromProperties(KeelSettings.of(Map.of("keel.relay.lanes", "0"))))
        .hasMessage("keel.relay.lanes must be between 1 and 4096, was 0");
    assertThatThrownBy(
            () -> OutboxRelay.fromProperties(KeelSettings.of(Map.of("keel.relay.lane", "8"))))
        .hasMessageStartingWith("Unknown Keel configuration key(s) keel.relay.lane;");
    assertThatThrownBy(
            () ->
                OutboxRelay.fromProperties(
                        KeelSettings.of(Map.of("keel.relay.lease-duration", "100ms")))
                    .database(db)
                    .kafka(kafka)
                    .build())
        .hasMessage("OutboxRelay.leaseDuration must be at least PT0.3S, was PT0.1S");
  }
}
