package dev.keel.examples.fulfillment;

import dev.keel.saga.SagaView;
import java.io.PrintStream;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import javax.sql.DataSource;

/** Reads what happened to an order from every service's tables, checks it, and prints tables. */
public final class OrderReport {
  private OrderReport() {}

  /** One order's row, read from the database. */
  public static OrderRow row(
      FulfillmentSystem system, String orderId, String scenario, String notes) throws SQLException {
    DataSource ds = system.dataSource();
    String sagaId = Sql.value(ds, "SELECT saga_id FROM orders_order WHERE id = ?", orderId);
    Optional<SagaView> saga =
        sagaId == null
            ? Optional.empty()
            : system.orchestrator().admin().byId(UUID.fromString(sagaId));
    return new OrderRow(
        orderId,
        scenario,
        saga.map(v -> v.state().name()).orElse("-"),
        orNone(Sql.value(ds, "SELECT state FROM orders_order WHERE id = ?", orderId)),
        orNone(
            Sql.value(ds, "SELECT state FROM inventory_reservation WHERE order_id = ?", orderId)),
        orNone(
            Sql.value(ds, "SELECT state FROM payments_authorization WHERE order_id = ?", orderId)),
        Sql.count(ds, "SELECT COUNT(*) FROM shipping_shipment WHERE order_id = ?", orderId) == 1
            ? "created"
            : "-",
        Sql.count(ds, "SELECT COUNT(*) FROM notifications_message WHERE order_id = ?", orderId),
        notes == null ? "" : notes);
  }

  /** What is wrong with a row: effects that contradict the saga's end state. */
  public static List<String> consistency(OrderRow r) {
    List<String> problems = new ArrayList<>();
    String id = r.orderId();
    if (!r.orderState().equals(r.sagaState())) {
      problems.add(id + ": order state " + r.orderState() + " but saga " + r.sagaState());
    }
    switch (r.sagaState()) {
      case "COMPLETED" -> {
        expect(problems, id, "stock", r.stock(), "RESERVED");
        expect(problems, id, "payment", r.payment(), "AUTHORIZED");
        expect(problems, id, "shipment", r.shipment(), "created");
      }
      case "COMPENSATED" -> {
        expect(problems, id, "stock", r.stock(), "-", "RELEASED");
        expect(problems, id, "payment", r.payment(), "-", "VOIDED");
        expect(problems, id, "shipment", r.shipment(), "-");
      }
      default -> problems.add(id + ": saga did not end as planned: " + r.sagaState());
    }
    if (r.notifications() != 2) {
      problems.add(
          id + ": " + r.notifications() + " notifications, expected 2 (placed and outcome)");
    }
    return problems;
  }

  private static void expect(
      List<String> problems, String id, String what, String actual, String... allowed) {
    for (String a : allowed) {
      if (a.equals(actual)) {
        return;
      }
    }
    problems.add(id + ": " + what + " is " + actual + ", expected " + String.join(" or ", allowed));
  }

  private static String orNone(String value) {
    return value == null ? "-" : value;
  }

  /** Prints the orders table and the metrics summary. */
  public static void print(PrintStream out, List<OrderRow> rows, Map<String, String> metrics) {
    String format = "| %-6s | %-19s | %-11s | %-11s | %-8s | %-10s | %-8s | %-5s | %s%n";
    out.printf(
        format,
        "order",
        "scenario",
        "saga",
        "order",
        "stock",
        "payment",
        "shipment",
        "notif",
        "notes");
    out.printf(
        format,
        "------",
        "-------------------",
        "-----------",
        "-----------",
        "--------",
        "----------",
        "--------",
        "-----",
        "-----");
    for (OrderRow r : rows) {
      out.printf(
          format,
          r.orderId(),
          r.scenario(),
          r.sagaState(),
          r.orderState(),
          r.stock(),
          r.payment(),
          r.shipment(),
          r.notifications(),
          r.notes());
    }
    out.println();
    out.println("Metrics:");
    metrics.forEach((k, v) -> out.printf("  %-34s %s%n", k, v));
  }
}
