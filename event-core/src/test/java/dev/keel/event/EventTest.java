package dev.keel.event;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keel.event.json.JsonCodec;
import dev.keel.event.json.PayloadException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class EventTest {
  private static Event.Builder valid() {
    return Event.builder()
        .type("order.placed")
        .topic("orders")
        .key("o-1")
        .source("order-service")
        .payload("{}".getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void assignsTimeOrderedIdAndTimeFromClock() {
    Clock clock = Clock.fixed(Instant.parse("2026-01-02T03:04:05Z"), ZoneOffset.UTC);
    Event a =
        Event.builder(clock)
            .type("order.placed")
            .topic("t")
            .source("s")
            .payload(new byte[0])
            .build();
    Event b =
        Event.builder(clock)
            .type("order.placed")
            .topic("t")
            .source("s")
            .payload(new byte[0])
            .build();
    assertThat(a.occurredAt()).isEqualTo(clock.instant());
    assertThat(a.id().version()).isEqualTo(7);
    assertThat(a.id()).isNotEqualTo(b.id());
    assertThat(a.id().getMostSignificantBits() >>> 16).isEqualTo(clock.millis());
  }

  @Test
  void payloadIsCopiedBothWays() {
    byte[] bytes = {1, 2, 3};
    Event e = valid().payload(bytes).build();
    bytes[0] = 9;
    assertThat(e.payload()[0]).isEqualTo((byte) 1);
    e.payload()[1] = 9;
    assertThat(e.payload()[1]).isEqualTo((byte) 2);
  }

  record OrderPlaced(String orderId, BigDecimal total) {}

  @Test
  void payloadJsonEncodesWhatConsumersDecode() {
    Event e =
        valid()
            .contentType("text/plain")
            .payloadJson(new OrderPlaced("o-1", new BigDecimal("12.50")))
            .build();
    assertThat(new String(e.payload(), StandardCharsets.UTF_8))
        .isEqualTo("{\"orderId\":\"o-1\",\"total\":12.50}");
    assertThat(e.contentType()).isEqualTo("application/json");
    assertThat(JsonCodec.create().decode(e.payload(), OrderPlaced.class))
        .isEqualTo(new OrderPlaced("o-1", new BigDecimal("12.50")));
  }

  @Test
  void payloadWithCodecUsesThatCodecAndItsLimit() {
    OrderPlaced order = new OrderPlaced("o-1", BigDecimal.ONE);
    assertThat(valid().payload(order, JsonCodec.create()).build().payload())
        .isEqualTo(JsonCodec.create().encode(order));
    assertThatThrownBy(() -> valid().payload(order, JsonCodec.withMaxBytes(10)))
        .isInstanceOf(PayloadException.class)
        .hasMessageContaining("over the limit of 10")
        .hasMessageNotContaining("o-1");
  }

  @Test
  void objectPayloadRefusesNullValueAndCodecNamingThePayload() {
    assertThatThrownBy(() -> valid().payloadJson(null))
        .isInstanceOf(KeelConfigurationException.class)
        .hasMessageContaining("Event.payload value must not be null");
    assertThatThrownBy(() -> valid().payload(new OrderPlaced("o-1", BigDecimal.ONE), null))
        .isInstanceOf(KeelConfigurationException.class)
        .hasMessageContaining("Event.payload codec must not be null");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "Order.Placed",
        "order placed",
        "order..placed",
        "1order",
        "order.placed;drop"
      })
  void rejectsBadTypes(String type) {
    assertThatThrownBy(() -> valid().type(type).build())
        .isInstanceOf(KeelConfigurationException.class)
        .hasMessageContaining("Event.type");
  }

  @Test
  void rejectsMissingPartsWithPropertyName() {
    assertThatThrownBy(() -> valid().topic(null).build()).hasMessageContaining("Event.topic");
    assertThatThrownBy(() -> valid().topic("bad topic").build())
        .hasMessageContaining("Event.topic");
    assertThatThrownBy(() -> valid().source(" ").build()).hasMessageContaining("Event.source");
    assertThatThrownBy(() -> valid().payload(null).build()).hasMessageContaining("Event.payload");
    assertThatThrownBy(() -> valid().contractVersion(0).build())
        .hasMessageContaining("Event.contractVersion");
  }

  @Test
  void rejectsEnvelopeHeaderOverrides() {
    assertThatThrownBy(() -> valid().header(EventHeaders.EVENT_ID, "x").build())
        .isInstanceOf(KeelConfigurationException.class)
        .hasMessageContaining("keel-event-id");
  }

  @Test
  void dropsMalformedTraceparent() {
    assertThat(valid().traceParent("not-a-trace").build().traceParent()).isEmpty();
    String tp = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
    assertThat(valid().traceParent(tp).build().traceParent()).contains(tp);
  }

  @Test
  void toStringHidesPayload() {
    Event e = valid().payload("secret-card-number".getBytes(StandardCharsets.UTF_8)).build();
    assertThat(e.toString()).doesNotContain("secret").contains("order.placed");
  }

  @Test
  void toBuilderKeepsId() {
    Event e = valid().build();
    assertThat(e.toBuilder().topic("orders.retry.1").build().id()).isEqualTo(e.id());
  }

  @Test
  void exceptionHierarchyCarriesFailureClass() {
    assertThat(new RetriableKeelException("x").failureClass()).isEqualTo(FailureClass.TRANSIENT);
    assertThat(new MalformedEventException("h", "x").failureClass())
        .isEqualTo(FailureClass.DESERIALIZATION);
    assertThat(new UnknownContractVersionException("x").failureClass())
        .isEqualTo(FailureClass.CONTRACT_VERSION);
    assertThatThrownBy(() -> new NonRetriableKeelException(FailureClass.TRANSIENT, "x"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(FailureClass.TRANSIENT.defaultAction()).isEqualTo(FailureAction.RETRY);
    assertThat(FailureClass.DESERIALIZATION.defaultAction()).isEqualTo(FailureAction.DEAD_LETTER);
  }
}
