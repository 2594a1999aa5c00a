package dev.keel.event.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keel.event.Event;
import dev.keel.event.EventHeaders;
import dev.keel.event.MalformedEventException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;

class KafkaRecordsTest {
  private final Event event =
      Event.builder()
          .type("order.placed")
          .topic("orders")
          .key("o-1")
          .source("order-service")
          .contractVersion(3)
          .traceParent("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01")
          .header("tenant", "acme")
          .payload("{\"id\":1}".getBytes(StandardCharsets.UTF_8))
          .build();

  @Test
  void roundTripsEveryField() {
    ProducerRecord<byte[], byte[]> out = KafkaRecords.toProducerRecord(event);
    assertThat(out.topic()).isEqualTo("orders");
    assertThat(new String(out.key(), StandardCharsets.UTF_8)).isEqualTo("o-1");
    assertThat(value(out, EventHeaders.EVENT_ID)).isEqualTo(event.id().toString());
    assertThat(value(out, EventHeaders.CONTRACT_VERSION)).isEqualTo("3");
    Event back = KafkaRecords.toEvent(consumed(out.headers().toArray(), out.key()));
    assertThat(back).isEqualTo(event);
  }

  @Test
  void missingIdIsTypedError() {
    RecordHeaders h = headersWithout(EventHeaders.EVENT_ID);
    assertThatThrownBy(() -> KafkaRecords.toEvent(consumed(h.toArray(), null)))
        .isInstanceOf(MalformedEventException.class)
        .hasMessageContaining("keel-event-id is missing")
        .hasMessageContaining("orders-0@42")
        .satisfies(
            e ->
                assertThat(((MalformedEventException) e).header())
                    .isEqualTo(EventHeaders.EVENT_ID));
  }

  @Test
  void rejectsForgedAndBrokenHeaders() {
    assertMalformed(replace(EventHeaders.EVENT_ID, "not-a-uuid"), "is not a UUID");
    assertMalformed(replace(EventHeaders.CONTRACT_VERSION, "99999999999"), "integer from 1");
    assertMalformed(replace(EventHeaders.CONTRACT_VERSION, "-1"), "integer from 1");
    assertMalformed(replace(EventHeaders.OCCURRED_AT, "yesterday"), "ISO-8601");
    assertMalformed(
        replace(EventHeaders.EVENT_TYPE, "java.lang.Runtime;exec"), "not an event type");
    assertMalformed(replace(EventHeaders.SOURCE, "x".repeat(5000)), "over 1024");
    RecordHeaders twice = new RecordHeaders(KafkaRecords.headersOf(event).toArray());
    twice.add(
        EventHeaders.EVENT_ID,
        java.util.UUID.randomUUID().toString().getBytes(StandardCharsets.UTF_8));
    assertMalformed(twice, "appears 2 times");
    RecordHeaders badUtf8 = headersWithout(EventHeaders.SOURCE);
    badUtf8.add(EventHeaders.SOURCE, new byte[] {(byte) 0xff, (byte) 0xfe});
    assertMalformed(badUtf8, "not valid UTF-8");
  }

  @Test
  void eachMissingRequiredHeaderIsATypedErrorNamingIt() {
    for (String name :
        List.of(
            EventHeaders.EVENT_ID,
            EventHeaders.EVENT_TYPE,
            EventHeaders.CONTRACT_VERSION,
            EventHeaders.OCCURRED_AT,
            EventHeaders.SOURCE)) {
      assertMalformedHeader(headersWithout(name), name, name + " is missing");
      assertMalformedHeader(replace(name, ""), name, name + " is missing");
    }
  }

  @Test
  void malformedContractVersionNamesTheHeader() {
    for (String bad : List.of("three", "3.0", "0", " 3", "2147483648")) {
      assertMalformedHeader(
          replace(EventHeaders.CONTRACT_VERSION, bad),
          EventHeaders.CONTRACT_VERSION,
          "integer from 1");
    }
  }

  @Test
  void malformedOccurredAtNamesTheHeader() {
    for (String bad : List.of("yesterday", "2024-01-01", "2024-01-01T10:00:00", "1700000000")) {
      assertMalformedHeader(
          replace(EventHeaders.OCCURRED_AT, bad), EventHeaders.OCCURRED_AT, "ISO-8601");
    }
  }

  @Test
  void eachDuplicatedEnvelopeHeaderNamesTheHeader() {
    for (String name :
        List.of(
            EventHeaders.EVENT_ID,
            EventHeaders.EVENT_TYPE,
            EventHeaders.CONTRACT_VERSION,
            EventHeaders.OCCURRED_AT,
            EventHeaders.SOURCE,
            EventHeaders.CONTENT_TYPE)) {
      RecordHeaders twice = new RecordHeaders(KafkaRecords.headersOf(event).toArray());
      twice.add(name, KafkaRecords.headersOf(event).lastHeader(name).value());
      assertMalformedHeader(twice, name, name + " appears 2 times");
    }
  }

  @Test
  void untrustedTraceparentIsDroppedNotFatal() {
    assertThat(KafkaRecords.toEvent(consumed(KafkaRecords.headersOf(event).toArray(), null)))
        .satisfies(e -> assertThat(e.traceParent()).isPresent());
    List<byte[]> bad =
        List.of(
            new byte[] {'0', '0', '-', (byte) 0xc3, '('}, // not UTF-8
            "x".repeat(EventHeaders.MAX_VALUE_BYTES + 1).getBytes(StandardCharsets.UTF_8),
            "00-zz-yy-01".getBytes(StandardCharsets.UTF_8),
            new byte[0]);
    for (byte[] value : bad) {
      RecordHeaders h = headersWithout(EventHeaders.TRACEPARENT);
      h.add(EventHeaders.TRACEPARENT, value);
      Event back = KafkaRecords.toEvent(consumed(h.toArray(), null));
      assertThat(back.traceParent()).as(new String(value, StandardCharsets.ISO_8859_1)).isEmpty();
      assertThat(back.id()).isEqualTo(event.id());
    }
    RecordHeaders twice = new RecordHeaders(KafkaRecords.headersOf(event).toArray());
    twice.add(
        EventHeaders.TRACEPARENT,
        KafkaRecords.headersOf(event).lastHeader(EventHeaders.TRACEPARENT).value());
    assertThat(KafkaRecords.toEvent(consumed(twice.toArray(), null)).traceParent()).isEmpty();
    RecordHeaders nullValue = headersWithout(EventHeaders.TRACEPARENT);
    nullValue.add(EventHeaders.TRACEPARENT, null);
    assertThat(KafkaRecords.toEvent(consumed(nullValue.toArray(), null)).traceParent()).isEmpty();
  }

  @Test
  void headerThatIsNotUtf8NamesTheHeader() {
    RecordHeaders h = headersWithout(EventHeaders.EVENT_TYPE);
    h.add(EventHeaders.EVENT_TYPE, new byte[] {'o', (byte) 0xc3, '('});
    assertMalformedHeader(h, EventHeaders.EVENT_TYPE, "header keel-event-type is not valid UTF-8");
  }

  @Test
  void recordKeyThatIsNotUtf8IsATypedError() {
    byte[] key = {(byte) 0xed, (byte) 0xa0, (byte) 0x80}; // an encoded lone surrogate
    assertThatThrownBy(
            () -> KafkaRecords.toEvent(consumed(KafkaRecords.headersOf(event).toArray(), key)))
        .isInstanceOf(MalformedEventException.class)
        .hasMessageContaining("orders-0@42")
        .hasMessageContaining("record key is not valid UTF-8")
        .satisfies(e -> assertThat(((MalformedEventException) e).header()).isNull());
  }

  private void assertMalformedHeader(RecordHeaders headers, String header, String message) {
    assertThatThrownBy(() -> KafkaRecords.toEvent(consumed(headers.toArray(), null)))
        .as(header + ": " + message)
        .isInstanceOf(MalformedEventException.class)
        .hasMessageContaining("orders-0@42")
        .hasMessageContaining(message)
        .satisfies(
            e -> assertThat(((MalformedEventException) e).header()).as(header).isEqualTo(header));
  }

  @Test
  void headerNeverSelectsAClass() {
    RecordHeaders h = new RecordHeaders(KafkaRecords.headersOf(event).toArray());
    h.add("__TypeId__", "java.lang.ProcessBuilder".getBytes(StandardCharsets.UTF_8));
    Event back = KafkaRecords.toEvent(consumed(h.toArray(), null));
    assertThat(back.headers()).containsEntry("__TypeId__", "java.lang.ProcessBuilder");
    assertThat(back.type()).isEqualTo("order.placed");
  }

  private void assertMalformed(RecordHeaders headers, String message) {
    assertThatThrownBy(() -> KafkaRecords.toEvent(consumed(headers.toArray(), null)))
        .isInstanceOf(MalformedEventException.class)
        .hasMessageContaining(message);
  }

  private RecordHeaders replace(String name, String value) {
    RecordHeaders h = headersWithout(name);
    h.add(name, value.getBytes(StandardCharsets.UTF_8));
    return h;
  }

  private RecordHeaders headersWithout(String name) {
    RecordHeaders h = new RecordHeaders(KafkaRecords.headersOf(event).toArray());
    h.remove(name);
    return h;
  }

  private static String value(ProducerRecord<byte[], byte[]> r, String name) {
    return new String(r.headers().lastHeader(name).value(), StandardCharsets.UTF_8);
  }

  private ConsumerRecord<byte[], byte[]> consumed(Header[] headers, byte[] key) {
    return new ConsumerRecord<>(
        "orders",
        0,
        42L,
        0L,
        TimestampType.CREATE_TIME,
        -1,
        -1,
        key,
        event.payload(),
        new RecordHeaders(headers),
        Optional.empty());
  }

  @Test
  void nullHeaderValueIsTreatedAsMissing() {
    RecordHeaders h = headersWithout(EventHeaders.SOURCE);
    h.add(new RecordHeader(EventHeaders.SOURCE, null));
    assertMalformed(h, "keel-source is missing");
  }
}
