package dev.keel.consumer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.event.Event;
import dev.keel.event.contract.ContractField;
import dev.keel.event.contract.EventContract;
import dev.keel.event.contract.EventContracts;
import dev.keel.event.contract.FieldRole;
import dev.keel.event.contract.FieldType;
import dev.keel.outbox.Outbox;
import dev.keel.retry.RetryPolicy;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.Map;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.Test;

/** The README's listener, compiled and validated (the README copies this code). */
class ReadmeExampleTest {

  record OrderPlaced(String orderId, BigDecimal total) {}

  static final class Billing {
    private final Outbox outbox;

    Billing(Outbox outbox) {
      this.outbox = outbox;
    }

    @KeelListener(topic = "orders", group = "billing", type = "order.placed")
    void on(OrderPlaced order, Event event, Connection tx) throws SQLException {
      try (PreparedStatement ps =
          tx.prepareStatement("INSERT INTO invoice (order_id, total) VALUES (?, ?)")) {
        ps.setString(1, order.orderId());
        ps.setBigDecimal(2, order.total());
        ps.executeUpdate(); // committed with the dedupe row, or not at all
      }
      outbox.append( // exactly one downstream event per order
          tx,
          Event.builder()
              .type("invoice.created")
              .topic("invoices")
              .key(order.orderId())
              .source("billing")
              .payloadJson(order)
              .build());
    }
  }

  @Test
  void theReadmeListenerBuilds() {
    JdbcDataSource dataSource = new JdbcDataSource();
    dataSource.setURL("jdbc:h2:mem:readme");
    EventContracts contracts =
        EventContracts.builder()
            .register(
                EventContract.builder("order.placed", 1)
                    .owner("orders-team")
                    .field(
                        ContractField.required("orderId", FieldType.STRING, FieldRole.IDENTIFIER))
                    .payloadType(OrderPlaced.class)
                    .build())
            .build();
    ConsumerRuntime runtime =
        ConsumerRuntime.builder()
            .consumerProperties(
                Map.of("bootstrap.servers", "localhost:9092", "auto.offset.reset", "earliest"))
            .dataSource(dataSource)
            .contracts(contracts)
            .retryPolicy(RetryPolicy.builder().maxAttempts(5).build())
            .meterRegistry(new SimpleMeterRegistry())
            .register(new Billing(Outbox.builder().build()))
            .build();
    assertThat(runtime.isRunning()).isFalse();
    runtime.close();
  }
}
