package dev.keel.examples.boot;

import dev.keel.consumer.KeelListener;
import dev.keel.event.Event;
import dev.keel.event.FailureClass;
import dev.keel.event.NonRetriableKeelException;
import java.util.List;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * Notifies the customer of a placed order. The notification row commits with Keel's dedupe row (the
 * handler runs in a Spring transaction), so a fact delivered twice is notified once. An order in a
 * locale without a greeting is refused permanently ({@code VALIDATION}): it is dead-lettered at
 * once, and replayed by an operator once the greeting exists.
 */
@Component
class Notifications {
  static final String GROUP = "notifications";

  private final JdbcTemplate jdbc;

  Notifications(JdbcTemplate jdbc) {
    this.jdbc = jdbc;
  }

  @KeelListener(
      topic = OrderPlaced.TOPIC,
      group = GROUP,
      type = OrderPlaced.TYPE,
      id = "notifications")
  void on(OrderPlaced order, Event event) {
    List<String> greeting =
        jdbc.queryForList(
            "SELECT template FROM greeting WHERE locale = ?", String.class, order.locale());
    if (greeting.isEmpty()) {
      throw new NonRetriableKeelException(
          FailureClass.VALIDATION, "no greeting for locale " + order.locale());
    }
    jdbc.update(
        "INSERT INTO notification (event_id, order_id, body) VALUES (?, ?, ?)",
        event.id().toString(),
        order.orderId(),
        String.format(greeting.get(0), order.customer(), order.orderId()));
  }
}
