package dev.keel.event.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keel.event.KeelConfigurationException;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;

class KeelKafkaTest {

  @Test
  void readsBootstrapPrefixAndPassThroughProperties() {
    Properties p = new Properties();
    p.setProperty("keel.kafka.bootstrap-servers", "k1:9093,k2:9093");
    p.setProperty("keel.kafka.client-id-prefix", "orders");
    p.setProperty("keel.kafka.properties.security.protocol", "SASL_SSL");
    p.setProperty("keel.kafka.properties.sasl.mechanism", "SCRAM-SHA-512");
    KeelKafka kafka = KeelKafka.fromProperties(p, "keel");
    assertThat(kafka.bootstrapServers()).isEqualTo("k1:9093,k2:9093");
    assertThat(kafka.clientProperties())
        .containsEntry("bootstrap.servers", "k1:9093,k2:9093")
        .containsEntry("security.protocol", "SASL_SSL")
        .containsEntry("sasl.mechanism", "SCRAM-SHA-512");
    assertThat(kafka.clientProperties("relay")).containsEntry("client.id", "orders-relay");
  }

  @Test
  void noPrefixLeavesClientIdToTheComponent() {
    KeelKafka kafka = KeelKafka.builder().bootstrapServers("k:9092").build();
    assertThat(kafka.clientProperties("relay")).doesNotContainKey("client.id");
  }

  @Test
  void missingBootstrapNamesTheKey() {
    assertThatThrownBy(() -> KeelKafka.fromProperties(Map.of("keel.kafka.x", "y"), "keel"))
        .isInstanceOf(KeelConfigurationException.class)
        .hasMessageStartingWith("Unknown Keel configuration key(s) keel.kafka.x");
    assertThatThrownBy(() -> KeelKafka.fromProperties(Map.of(), "svc"))
        .hasMessage("svc.kafka.bootstrap-servers is required");
  }

  @Test
  void secretsAreMaskedInToString() {
    KeelKafka kafka =
        KeelKafka.builder()
            .bootstrapServers("k:9092")
            .property("sasl.jaas.config", "Login required username=\"u\" password=\"hunter2\";")
            .property("ssl.keystore.password", "hunter3")
            .property("ssl.truststore.location", "/etc/trust.jks")
            .build();
    assertThat(kafka.toString())
        .doesNotContain("hunter2")
        .doesNotContain("hunter3")
        .contains("sasl.jaas.config=****")
        .contains("ssl.truststore.location=/etc/trust.jks");
    // the values themselves are passed on untouched
    assertThat(kafka.clientProperties()).containsEntry("ssl.keystore.password", "hunter3");
  }
}
