package dev.keel.event.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keel.event.FailureClass;
import dev.keel.event.KeelConfigurationException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class JsonCodecTest {
  record Line(String sku, int qty) {}

  record OrderPlaced(String orderId, BigDecimal total, Instant at, List<Line> lines) {}

  private final JsonCodec json = JsonCodec.create();

  @Test
  void roundTripsRecordsWithTimeAndDecimals() {
    OrderPlaced o =
        new OrderPlaced(
            "o-1",
            new BigDecimal("12.50"),
            Instant.parse("2026-01-01T00:00:00Z"),
            List.of(new Line("sku", 2)));
    byte[] bytes = json.encode(o);
    assertThat(new String(bytes, StandardCharsets.UTF_8)).contains("\"2026-01-01T00:00:00Z\"");
    assertThat(json.decode(bytes, OrderPlaced.class)).isEqualTo(o);
  }

  @Test
  void ignoresUnknownFieldsForAdditiveEvolution() {
    byte[] newer =
        "{\"orderId\":\"o\",\"total\":1,\"lines\":[],\"couponCode\":\"X\"}"
            .getBytes(StandardCharsets.UTF_8);
    assertThat(json.decode(newer, OrderPlaced.class).orderId()).isEqualTo("o");
  }

  @Test
  void malformedInputIsTypedAndDoesNotEchoContent() {
    byte[] bad = "{\"orderId\": SECRET-4111111111111111".getBytes(StandardCharsets.UTF_8);
    assertThatThrownBy(() -> json.decode(bad, OrderPlaced.class))
        .isInstanceOf(PayloadException.class)
        .hasMessageContaining(OrderPlaced.class.getName())
        .hasMessageContaining("line 1")
        .hasMessageNotContaining("SECRET")
        .hasMessageNotContaining("4111")
        .satisfies(
            e ->
                assertThat(((PayloadException) e).failureClass())
                    .isEqualTo(FailureClass.DESERIALIZATION));
    assertThatThrownBy(
            () -> json.decode("null".getBytes(StandardCharsets.UTF_8), OrderPlaced.class))
        .isInstanceOf(PayloadException.class);
    assertThatThrownBy(
            () -> json.decode("{} {}".getBytes(StandardCharsets.UTF_8), OrderPlaced.class))
        .isInstanceOf(PayloadException.class);
    assertThatThrownBy(() -> json.tree(new byte[0])).isInstanceOf(PayloadException.class);
  }

  @Test
  void enforcesSizeAndDepthLimits() {
    JsonCodec small = JsonCodec.withMaxBytes(16);
    assertThatThrownBy(() -> small.decode(new byte[17], OrderPlaced.class))
        .isInstanceOf(PayloadException.class)
        .hasMessageContaining("over the limit of 16")
        .satisfies(
            e ->
                assertThat(((PayloadException) e).failureClass())
                    .isEqualTo(FailureClass.VALIDATION));
    assertThatThrownBy(() -> small.encode(new Line("x".repeat(20), 1)))
        .isInstanceOf(PayloadException.class);
    byte[] deep = ("[".repeat(500) + "]".repeat(500)).getBytes(StandardCharsets.UTF_8);
    assertThatThrownBy(() -> json.tree(deep)).isInstanceOf(PayloadException.class);
    assertThatThrownBy(() -> JsonCodec.withMaxBytes(0))
        .isInstanceOf(KeelConfigurationException.class)
        .hasMessageContaining("JsonCodec.maxBytes");
  }
}
