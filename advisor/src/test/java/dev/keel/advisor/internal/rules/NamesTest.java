package dev.keel.advisor.internal.rules;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class NamesTest {

  @ParameterizedTest
  @ValueSource(
      strings = {
        "order.placed",
        "payment.authorized",
        "inventory.reservation-rejected",
        "shipment.scheduling-failed",
        "invoice.sent",
        "order.paid",
        "customer.address_changed"
      })
  void facts_in_past_tense(String name) {
    assertThat(Names.pastTense(name)).isTrue();
  }

  @ParameterizedTest
  @ValueSource(strings = {"order.create", "invoice.send", "payment.authorize", "shipment.schedule"})
  void commands_are_not_facts(String name) {
    assertThat(Names.pastTense(name)).isFalse();
    assertThat(Names.imperative(name)).isTrue();
  }

  @ParameterizedTest
  @ValueSource(strings = {"order.status", "stock.level", "cart"})
  void nouns_are_neither(String name) {
    assertThat(Names.pastTense(name)).isFalse();
    assertThat(Names.imperative(name)).isFalse();
  }
}
