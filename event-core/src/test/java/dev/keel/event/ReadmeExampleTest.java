package dev.keel.event;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keel.event.contract.Compatibility;
import dev.keel.event.contract.CompatibilityReport;
import dev.keel.event.contract.ContractField;
import dev.keel.event.contract.EventContract;
import dev.keel.event.contract.EventContracts;
import dev.keel.event.contract.FieldRole;
import dev.keel.event.contract.FieldType;
import dev.keel.event.json.JsonCodec;
import dev.keel.event.kafka.KafkaRecords;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;

/** The module README's examples, compiled and run (the README copies this code). */
class ReadmeExampleTest {

  record OrderPlaced(UUID orderId, BigDecimal total) {}

  @Test
  void anEventItsContractAndItsWayOverKafka() {
    UUID orderId = UUID.randomUUID();
    // --- README: event
    Event event =
        Event.builder()
            .type("order.placed") // a fact, past tense
            .topic("orders")
            .key(orderId.toString()) // the aggregate id: Kafka orders by it
            .source("order-service")
            .contractVersion(1)
            .payloadJson(new OrderPlaced(orderId, new BigDecimal("12.50")))
            .build(); // validates; the id is a new UUIDv7

    // --- README: contracts
    EventContract v1 =
        EventContract.builder("order.placed", 1)
            .owner("orders-team")
            .topic("orders")
            .orderingKey("orderId")
            .field(ContractField.required("orderId", FieldType.UUID, FieldRole.IDENTIFIER))
            .field(ContractField.required("total", FieldType.DECIMAL, FieldRole.BUSINESS_FACT))
            .payloadType(OrderPlaced.class)
            .build();
    EventContracts contracts = EventContracts.builder().register(v1).build();
    contracts.check(event.type(), event.contractVersion()); // an unknown version throws

    EventContract v2 =
        EventContract.builder("order.placed", 2)
            .owner("orders-team")
            .topic("orders")
            .orderingKey("orderId")
            .field(ContractField.required("orderId", FieldType.UUID, FieldRole.IDENTIFIER))
            .field(ContractField.required("total", FieldType.DECIMAL, FieldRole.BUSINESS_FACT))
            .field(ContractField.optional("channel", FieldType.STRING, FieldRole.METADATA))
            .build();
    CompatibilityReport report = Compatibility.check(v1, v2); // additive: compatible

    // --- README: kafka
    ProducerRecord<byte[], byte[]> out = KafkaRecords.toProducerRecord(event);
    ConsumerRecord<byte[], byte[]> in = consumed(out); // what a consumer polls
    Event received = KafkaRecords.toEvent(in); // MalformedEventException if a header is bad
    OrderPlaced order = JsonCodec.create().decode(received.payload(), OrderPlaced.class);
    // --- README: end

    assertThat(report.compatible()).isTrue();
    assertThat(received).isEqualTo(event);
    assertThat(order).isEqualTo(new OrderPlaced(orderId, new BigDecimal("12.50")));
    assertThatThrownBy(() -> contracts.check("order.placed", 3))
        .isInstanceOf(UnknownContractVersionException.class);
  }

  @Test
  void theReadmeShowsThisCode() throws IOException {
    String test =
        Files.readString(
            Path.of("src/test/java/dev/keel/event/ReadmeExampleTest.java"), StandardCharsets.UTF_8);
    String readme = Files.readString(Path.of("README.md"), StandardCharsets.UTF_8);
    String region =
        test.substring(test.indexOf("// --- README: event"), test.indexOf("// --- README: end"));
    List<String> code =
        region
            .lines()
            .map(String::strip)
            .filter(l -> !l.isEmpty() && !l.startsWith("// --- README"))
            .toList();
    int start = readme.indexOf("```java\n");
    List<String> shown =
        readme
            .substring(start + 8, readme.indexOf("```", start + 8))
            .lines()
            .map(String::strip)
            .filter(l -> !l.isEmpty())
            .toList();
    assertThat(shown).isEqualTo(code);
  }

  private static ConsumerRecord<byte[], byte[]> consumed(ProducerRecord<byte[], byte[]> r) {
    return new ConsumerRecord<>(
        r.topic(),
        0,
        0L,
        0L,
        TimestampType.CREATE_TIME,
        -1,
        -1,
        r.key(),
        r.value(),
        r.headers(),
        Optional.empty());
  }
}
