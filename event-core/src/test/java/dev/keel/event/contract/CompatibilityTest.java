package dev.keel.event.contract;

import static dev.keel.event.contract.BreakingChange.Kind.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keel.event.KeelConfigurationException;
import dev.keel.event.UnknownContractVersionException;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class CompatibilityTest {
  private static final Instant NOW = Instant.parse("2026-06-01T00:00:00Z");

  private static EventContract.Builder v(int version) {
    return EventContract.builder("order.placed", version)
        .owner("orders-team")
        .topic("orders")
        .orderingKey("orderId")
        .field(ContractField.required("orderId", FieldType.UUID, FieldRole.IDENTIFIER))
        .field(ContractField.required("total", FieldType.DECIMAL, FieldRole.BUSINESS_FACT));
  }

  @Test
  void acceptsAdditiveOptionalField() {
    EventContract next =
        v(2).field(ContractField.optional("channel", FieldType.STRING, FieldRole.METADATA)).build();
    CompatibilityReport r = Compatibility.check(v(1).build(), next, NOW);
    assertThat(r.compatible()).isTrue();
    assertThat(r.notes()).containsExactly("adds optional field channel");
  }

  @Test
  void identicalContractIsCompatible() {
    assertThat(Compatibility.check(v(1).build(), v(1).build(), NOW).breakingChanges()).isEmpty();
  }

  @Test
  void reportsRemovedField() {
    EventContract next =
        EventContract.builder("order.placed", 2)
            .owner("orders-team")
            .orderingKey("orderId")
            .field(ContractField.required("orderId", FieldType.UUID, FieldRole.IDENTIFIER))
            .build();
    assertKinds(Compatibility.check(v(1).build(), next, NOW), FIELD_REMOVED);
  }

  @Test
  void removalAfterDeprecationWindowIsAllowedButNotBefore() {
    EventContract old =
        v(1).field(ContractField.optional("legacy", FieldType.STRING, FieldRole.METADATA))
            .deprecate(
                new Deprecation(
                    "legacy",
                    Instant.parse("2026-01-01T00:00:00Z"),
                    Duration.ofDays(90),
                    "use channel"))
            .build();
    CompatibilityReport after = Compatibility.check(old, v(2).build(), NOW);
    assertThat(after.compatible()).isTrue();
    assertThat(after.notes())
        .anyMatch(n -> n.contains("legacy removed after its deprecation window"));
    CompatibilityReport before =
        Compatibility.check(old, v(2).build(), Instant.parse("2026-02-01T00:00:00Z"));
    assertKinds(before, FIELD_REMOVED);
    assertThat(before.breakingChanges().get(0).message())
        .contains("before its deprecation window ends");
  }

  @Test
  void reportsChangedType() {
    EventContract next =
        EventContract.builder("order.placed", 2)
            .owner("orders-team")
            .orderingKey("orderId")
            .field(ContractField.required("orderId", FieldType.UUID, FieldRole.IDENTIFIER))
            .field(ContractField.required("total", FieldType.INTEGER, FieldRole.BUSINESS_FACT))
            .build();
    CompatibilityReport r = Compatibility.check(v(1).build(), next, NOW);
    assertKinds(r, TYPE_CHANGED);
    assertThat(r.breakingChanges().get(0).message())
        .contains("total")
        .contains("DECIMAL")
        .contains("INTEGER");
  }

  @Test
  void reportsNewRequiredField() {
    EventContract next =
        v(2).field(ContractField.required("currency", FieldType.STRING, FieldRole.BUSINESS_FACT))
            .build();
    assertKinds(Compatibility.check(v(1).build(), next, NOW), REQUIRED_FIELD_ADDED);
  }

  @Test
  void reportsOptionalMadeRequiredAndRequiredMadeOptional() {
    EventContract old =
        v(1).field(ContractField.optional("note", FieldType.STRING, FieldRole.METADATA)).build();
    EventContract next =
        EventContract.builder("order.placed", 2)
            .owner("orders-team")
            .orderingKey("orderId")
            .field(ContractField.required("orderId", FieldType.UUID, FieldRole.IDENTIFIER))
            .field(ContractField.optional("total", FieldType.DECIMAL, FieldRole.BUSINESS_FACT))
            .field(ContractField.required("note", FieldType.STRING, FieldRole.METADATA))
            .build();
    assertKinds(Compatibility.check(old, next, NOW), FIELD_MADE_OPTIONAL, FIELD_MADE_REQUIRED);
  }

  @Test
  void reportsRenamedEvent() {
    EventContract renamed =
        EventContract.builder("order.created", 2)
            .owner("orders-team")
            .orderingKey("orderId")
            .field(ContractField.required("orderId", FieldType.UUID, FieldRole.IDENTIFIER))
            .field(ContractField.required("total", FieldType.DECIMAL, FieldRole.BUSINESS_FACT))
            .build();
    assertKinds(Compatibility.check(v(1).build(), renamed, NOW), EVENT_RENAMED);
  }

  @Test
  void reportsChangedOrderingKeyAndVersionNotIncreased() {
    EventContract next =
        v(1).field(ContractField.optional("channel", FieldType.STRING, FieldRole.METADATA)).build();
    assertKinds(Compatibility.check(v(1).build(), next, NOW), VERSION_NOT_INCREASED);
    EventContract rekeyed =
        EventContract.builder("order.placed", 2)
            .owner("orders-team")
            .orderingKey("total")
            .field(ContractField.required("orderId", FieldType.UUID, FieldRole.IDENTIFIER))
            .field(ContractField.required("total", FieldType.DECIMAL, FieldRole.BUSINESS_FACT))
            .build();
    assertKinds(Compatibility.check(v(1).build(), rekeyed, NOW), ORDERING_KEY_CHANGED);
  }

  @Test
  void contractValidationNamesTheProblem() {
    assertThatThrownBy(() -> EventContract.builder("order.placed", 1).build())
        .isInstanceOf(KeelConfigurationException.class)
        .hasMessageContaining("owner is required");
    assertThatThrownBy(() -> v(1).orderingKey("nope").build())
        .hasMessageContaining("orderingKey \"nope\"");
    assertThatThrownBy(
            () ->
                v(1).field(ContractField.optional("total", FieldType.STRING, FieldRole.METADATA))
                    .build())
        .hasMessageContaining("declared twice");
    assertThatThrownBy(() -> ContractField.required("a b", FieldType.STRING, FieldRole.METADATA))
        .hasMessageContaining("ContractField.name");
  }

  @Test
  void registryRejectsUnknownVersions() {
    EventContracts contracts =
        EventContracts.builder().register(v(1).build()).register(v(2).build()).build();
    contracts.check("order.placed", 2);
    contracts.check("other.happened", 1);
    assertThatThrownBy(() -> contracts.check("order.placed", 3))
        .isInstanceOf(UnknownContractVersionException.class)
        .hasMessageContaining("known versions [1, 2]");
    EventContracts strict = EventContracts.builder().register(v(1).build()).strict(true).build();
    assertThatThrownBy(() -> strict.check("other.happened", 1))
        .isInstanceOf(UnknownContractVersionException.class);
    assertThat(contracts.latest("order.placed"))
        .get()
        .extracting(EventContract::version)
        .isEqualTo(2);
    assertThatThrownBy(() -> EventContracts.builder().register(v(1).build()).register(v(1).build()))
        .hasMessageContaining("registered twice");
  }

  private static void assertKinds(CompatibilityReport r, BreakingChange.Kind... kinds) {
    assertThat(r.compatible()).isFalse();
    assertThat(r.breakingChanges())
        .extracting(BreakingChange::kind)
        .containsExactlyInAnyOrder(kinds);
  }
}
