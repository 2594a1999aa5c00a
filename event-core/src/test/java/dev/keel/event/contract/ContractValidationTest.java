package dev.keel.event.contract;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keel.event.KeelConfigurationException;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** Invalid contract parts are configuration errors that name the field or contract. */
class ContractValidationTest {
  private static final Instant NOW = Instant.parse("2026-06-01T00:00:00Z");

  @Test
  void fieldWithoutTypeOrRoleNamesTheField() {
    assertThatThrownBy(() -> ContractField.required("total", null, FieldRole.BUSINESS_FACT))
        .isInstanceOf(KeelConfigurationException.class)
        .hasMessage("ContractField.type of field total is required");
    assertThatThrownBy(() -> ContractField.optional("channel", FieldType.STRING, null))
        .isInstanceOf(KeelConfigurationException.class)
        .hasMessage("ContractField.role of field channel is required");
    assertThatThrownBy(() -> ContractField.required("1x", FieldType.STRING, FieldRole.METADATA))
        .isInstanceOf(KeelConfigurationException.class)
        .hasMessageContaining("ContractField.name")
        .hasMessageContaining("\"1x\"");
  }

  @Test
  void deprecationWithNegativeWindowNamesTheField() {
    assertThatThrownBy(() -> new Deprecation("legacy", NOW, Duration.ofDays(-1), "use channel"))
        .isInstanceOf(KeelConfigurationException.class)
        .hasMessage("Deprecation.window of field \"legacy\" must be zero or positive, was PT-24H");
  }

  @Test
  void deprecationWithMissingPartsNamesTheField() {
    assertThatThrownBy(() -> new Deprecation("legacy", NOW, null, null))
        .isInstanceOf(KeelConfigurationException.class)
        .hasMessageContaining("Deprecation.window of field \"legacy\"");
    assertThatThrownBy(() -> new Deprecation("legacy", null, Duration.ZERO, null))
        .isInstanceOf(KeelConfigurationException.class)
        .hasMessage("Deprecation.deprecatedAt of field \"legacy\" is required");
    assertThatThrownBy(() -> new Deprecation(null, NOW, Duration.ZERO, null))
        .isInstanceOf(KeelConfigurationException.class)
        .hasMessage("Deprecation.field is required, was null");
  }

  @Test
  void nullFieldOrDeprecationNamesTheContract() {
    EventContract.Builder b = EventContract.builder("order.placed", 2).owner("orders-team");
    assertThatThrownBy(() -> b.field(null))
        .isInstanceOf(KeelConfigurationException.class)
        .hasMessage("EventContract \"order.placed\" v2: field must not be null");
    assertThatThrownBy(() -> b.deprecate(null))
        .isInstanceOf(KeelConfigurationException.class)
        .hasMessage("EventContract \"order.placed\" v2: deprecation must not be null");
  }
}
