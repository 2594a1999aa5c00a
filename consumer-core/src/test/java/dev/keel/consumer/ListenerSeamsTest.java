package dev.keel.consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keel.event.Event;
import dev.keel.event.KeelConfigurationException;
import dev.keel.event.config.KeelDatabase;
import dev.keel.event.config.KeelKafka;
import dev.keel.event.contract.EventContracts;
import java.util.List;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;

/**
 * The seams a framework uses: {@link HandlerTransactions} on the builder, listener ids, {@link
 * ListenerDefinition#annotated} and {@link ListenerDefinition#toBuilder()}.
 */
class ListenerSeamsTest {

  static final class Billing {
    @KeelListener(topic = "orders", group = "billing", type = "order.placed", id = "billing")
    void on(Event e) {}

    @KeelListener(topic = "orders", group = "audit", type = "order.placed")
    void audit(Event e) {}
  }

  @Test
  void annotatedDefinitionsCarryTheirIdAndCanBeAdjusted() {
    List<ListenerDefinition> defs =
        ListenerDefinition.annotated(new Billing(), EventContracts.none());
    ListenerDefinition billing =
        defs.stream().filter(d -> d.group().equals("billing")).findFirst().orElseThrow();
    ListenerDefinition audit =
        defs.stream().filter(d -> d.group().equals("audit")).findFirst().orElseThrow();
    assertThat(billing.id()).contains("billing");
    assertThat(audit.id()).isEmpty();

    ListenerDefinition keyed = billing.toBuilder().ordering(Ordering.KEY).concurrency(4).build();
    assertThat(keyed.ordering()).isEqualTo(Ordering.KEY);
    assertThat(keyed.concurrency()).isEqualTo(4);
    assertThat(keyed.name()).isEqualTo(billing.name());
    assertThat(keyed.id()).isEqualTo(billing.id());
    assertThat(keyed.handler()).isSameAs(billing.handler());
    assertThat(keyed.eventType()).isEqualTo(billing.eventType());
  }

  @Test
  void anIdThatCannotBeAPropertyNameIsRefusedNamingTheListener() {
    assertThatThrownBy(
            () ->
                ListenerDefinition.builder()
                    .name("Billing.on")
                    .id("Billing.On")
                    .topic("orders")
                    .group("billing")
                    .handler(d -> {})
                    .build())
        .isInstanceOf(KeelConfigurationException.class)
        .hasMessageContaining("Billing.on: id must be");
  }

  @Test
  void handlerTransactionsAreRequiredAndDefaultToJdbc() {
    ConsumerRuntime.Builder b =
        ConsumerRuntime.builder()
            .database(KeelDatabase.builder().dataSource(new JdbcDataSource()).build())
            .kafka(KeelKafka.builder().bootstrapServers("127.0.0.1:9").build())
            .listener(
                ListenerDefinition.builder()
                    .topic("orders")
                    .group("billing")
                    .handler(d -> {})
                    .build());
    b.build().close();
    assertThatThrownBy(() -> b.handlerTransactions(null).build())
        .isInstanceOf(KeelConfigurationException.class)
        .hasMessageContaining("ConsumerRuntime.handlerTransactions is required");
  }
}
