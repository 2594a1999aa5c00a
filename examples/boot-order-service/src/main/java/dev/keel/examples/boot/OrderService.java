package dev.keel.examples.boot;

import dev.keel.event.Event;
import dev.keel.saga.SagaOrchestrator;
import dev.keel.saga.SagaView;
import dev.keel.spring.boot.autoconfigure.outbox.TransactionalOutbox;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import javax.sql.DataSource;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceUtils;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/** Places orders: the order row, its {@code order.placed} fact and its saga in one transaction. */
@Service
public class OrderService {
  private final JdbcTemplate jdbc;
  private final DataSource dataSource;
  private final TransactionalOutbox outbox;
  private final SagaOrchestrator sagas;

  OrderService(
      JdbcTemplate jdbc,
      DataSource dataSource,
      TransactionalOutbox outbox,
      SagaOrchestrator sagas) {
    this.jdbc = jdbc;
    this.dataSource = dataSource;
    this.outbox = outbox;
    this.sagas = sagas;
  }

  /**
   * Saves the order, appends {@code order.placed} and runs the fulfillment saga, all committed
   * together or not at all.
   *
   * @param order what the customer asked for
   * @return the order's id
   */
  @Transactional
  public String place(NewOrder order) {
    String id = UUID.randomUUID().toString();
    String locale = order.locale() == null ? "en" : order.locale();
    jdbc.update(
        "INSERT INTO orders (id, customer, sku, quantity, card, locale, status)"
            + " VALUES (?, ?, ?, ?, ?, ?, 'PLACED')",
        id,
        order.customer(),
        order.sku(),
        order.quantity(),
        order.card(),
        locale);
    outbox.append( // the transaction's connection: the fact commits with the order
        Event.builder()
            .type(OrderPlaced.TYPE)
            .topic(OrderPlaced.TOPIC)
            .key(id)
            .source("order-service")
            .payloadJson(
                new OrderPlaced(id, order.customer(), order.sku(), order.quantity(), locale))
            .build());
    // The saga row, its step log and its local steps, on the same connection.
    UUID sagaId =
        sagas.start(
            DataSourceUtils.getConnection(dataSource),
            FulfillmentSaga.DEFINITION,
            new FulfillmentSaga.Data(id, order.sku(), order.quantity(), order.card()));
    jdbc.update("UPDATE orders SET saga_id = ? WHERE id = ?", sagaId, id);
    return id;
  }

  /**
   * The order, its saga's state and how many notifications were sent for it.
   *
   * @param id the order id
   * @return the order, or empty
   */
  @Transactional(readOnly = true)
  public Optional<OrderView> find(String id) {
    List<OrderView> found =
        jdbc.query(
            "SELECT o.id, o.customer, o.sku, o.quantity, o.status, o.saga_id,"
                + " (SELECT count(*) FROM notification n WHERE n.order_id = o.id) AS notified"
                + " FROM orders o WHERE o.id = ?",
            (rs, n) ->
                new OrderView(
                    rs.getString("id"),
                    rs.getString("customer"),
                    rs.getString("sku"),
                    rs.getInt("quantity"),
                    rs.getString("status"),
                    sagaState(rs.getObject("saga_id", UUID.class)),
                    rs.getLong("notified")),
            id);
    return found.stream().findFirst();
  }

  private String sagaState(UUID sagaId) {
    if (sagaId == null) {
      return null;
    }
    return sagas.admin().byId(sagaId).map(SagaView::state).map(Enum::name).orElse(null);
  }

  /**
   * A new order.
   *
   * @param customer the customer's name
   * @param sku what to order ({@code kayak}, {@code paddle})
   * @param quantity how many
   * @param card the card; one starting with {@code declined} is declined
   * @param locale the customer's locale ({@code en} when absent; others have no greeting yet)
   */
  public record NewOrder(String customer, String sku, int quantity, String card, String locale) {}

  /**
   * An order as stored.
   *
   * @param id the order id
   * @param customer the customer's name
   * @param sku what was ordered
   * @param quantity how many
   * @param status {@code PLACED}, {@code CONFIRMED} or {@code CANCELLED}
   * @param sagaState the fulfillment saga's state
   * @param notifications notifications written for the order
   */
  public record OrderView(
      String id,
      String customer,
      String sku,
      int quantity,
      String status,
      String sagaState,
      long notifications) {}
}
