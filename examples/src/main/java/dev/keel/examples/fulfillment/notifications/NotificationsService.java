package dev.keel.examples.fulfillment.notifications;

import dev.keel.consumer.KeelListener;
import dev.keel.event.Event;
import dev.keel.event.FailureClass;
import dev.keel.event.NonRetriableKeelException;
import dev.keel.event.json.JsonCodec;
import dev.keel.examples.fulfillment.Messages.OrderPlaced;
import dev.keel.examples.fulfillment.Sql;
import dev.keel.examples.fulfillment.Topics;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Map;
import javax.sql.DataSource;

/**
 * The notifications service reacts to facts (choreography, no saga): it writes a message when an
 * order is placed and when its fulfillment ends. An order in a locale without a template is a
 * validation failure: the record is dead-lettered, an operator adds the template and replays it.
 */
public final class NotificationsService {
  /** The group that consumes {@code order.placed}. */
  public static final String PLACED_GROUP = "notifications";

  /** The group that consumes the saga outcomes. */
  public static final String OUTCOME_GROUP = "notifications-outcomes";

  private final JsonCodec json = JsonCodec.create();

  /** Creates the service's tables with the English template. */
  public static void install(DataSource ds) throws SQLException {
    Sql.ddl(
        ds,
        "CREATE TABLE notifications_template (locale VARCHAR(8) PRIMARY KEY,"
            + " placed VARCHAR(200) NOT NULL)",
        "CREATE TABLE notifications_message (event_id VARCHAR(36) NOT NULL,"
            + " order_id VARCHAR(64) NOT NULL, kind VARCHAR(32) NOT NULL, body VARCHAR(300))",
        "INSERT INTO notifications_template VALUES ('en', 'Thank you, %s: order %s is placed.')");
  }

  /** Adds a template (the operator's fix before replaying dead letters). */
  public static void addTemplate(DataSource ds, String locale, String text) throws SQLException {
    try (Connection c = ds.getConnection()) {
      Sql.update(c, "INSERT INTO notifications_template VALUES (?, ?)", locale, text);
    }
  }

  @KeelListener(topic = Topics.ORDERS, group = PLACED_GROUP, type = "order.placed")
  void onOrderPlaced(OrderPlaced order, Event event, Connection tx) throws SQLException {
    String template = template(tx, order.locale());
    if (template == null) {
      throw new NonRetriableKeelException(
          FailureClass.VALIDATION, "no notification template for locale " + order.locale());
    }
    Sql.update(
        tx,
        "INSERT INTO notifications_message VALUES (?, ?, 'order.placed', ?)",
        event.id().toString(),
        order.orderId(),
        String.format(template, order.customer(), order.orderId()));
  }

  @KeelListener(topic = Topics.SAGA_OUTCOMES, group = OUTCOME_GROUP)
  void onOutcome(Event event, Connection tx) throws SQLException {
    Map<?, ?> outcome = json.decode(event.payload(), Map.class);
    String order = event.key().orElse("?");
    Sql.update(
        tx,
        "INSERT INTO notifications_message VALUES (?, ?, ?, ?)",
        event.id().toString(),
        order,
        event.type(),
        "Order " + order + ": " + outcome.get("state"));
  }

  private static String template(Connection tx, String locale) throws SQLException {
    try (PreparedStatement ps =
        tx.prepareStatement("SELECT placed FROM notifications_template WHERE locale = ?")) {
      ps.setString(1, locale);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? rs.getString(1) : null;
      }
    }
  }
}
