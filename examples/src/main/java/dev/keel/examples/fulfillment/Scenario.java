package dev.keel.examples.fulfillment;

import dev.keel.dlq.DeadLetterQuery;
import dev.keel.event.Event;
import dev.keel.event.KeelMeters;
import dev.keel.event.kafka.KafkaRecords;
import dev.keel.examples.fulfillment.notifications.NotificationsService;
import dev.keel.saga.SagaState;
import dev.keel.saga.SagaView;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.distribution.ValueAtPercentile;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The scripted run of the order-fulfillment system: a completed order, a declined payment, an
 * article out of stock, a notification dead-lettered and replayed after the fix, duplicates
 * delivered on purpose, and the shipping service restarted while sagas wait for it.
 */
public final class Scenario {
  private static final Duration WAIT = Duration.ofSeconds(90);

  /** What an order is expected to end as, and what the script does with it. */
  private record Planned(String orderId, String scenario, SagaState expected) {}

  /** The result of a run: one row per order, the metrics summary and whether all held. */
  public record Result(List<OrderRow> orders, Map<String, String> metrics, List<String> problems) {
    /** Whether every order ended as planned. */
    public boolean ok() {
      return problems.isEmpty();
    }
  }

  private final FulfillmentSystem system;
  private final Map<String, Object> kafka;
  private final PrintStream out;
  private final List<Planned> planned = new ArrayList<>();
  private final Map<String, String> notes = new LinkedHashMap<>();

  /**
   * A scenario on a started system.
   *
   * @param system the system
   * @param kafka Kafka client properties, for the duplicating producer
   * @param out where progress is printed
   */
  public Scenario(FulfillmentSystem system, Map<String, Object> kafka, PrintStream out) {
    this.system = system;
    this.kafka = kafka;
    this.out = out;
  }

  /** Runs the script and reads the outcome from the database. */
  public Result run() throws Exception {
    Event completed =
        place("o-1001", "ada", "kayak", 1, "499.00", "visa-1111", "en", "completed order");
    place(
        "o-1002",
        "grace",
        "paddle",
        2,
        "58.00",
        "declined-4000",
        "en",
        "payment declined",
        SagaState.COMPENSATED);
    place(
        "o-1003",
        "linus",
        "compass",
        1,
        "25.00",
        "visa-2222",
        "en",
        "out of stock",
        SagaState.COMPENSATED);
    Event poison =
        place("o-1004", "amelie", "kayak", 1, "499.00", "visa-3333", "fr", "poison notification");

    deadLetterAndReplay(poison);
    deliverTwice(completed, poison);
    restartShippingMidSaga();

    waitFor("every saga to end", this::allEnded);
    // The order row and the outcome notification follow the saga's end through the outbox and a
    // listener: give them the time to arrive; what still disagrees then is reported below.
    settle(this::allSettled);
    return result();
  }

  private Event place(
      String id,
      String customer,
      String sku,
      int quantity,
      String amount,
      String card,
      String locale,
      String scenario)
      throws SQLException {
    return place(id, customer, sku, quantity, amount, card, locale, scenario, SagaState.COMPLETED);
  }

  private Event place(
      String id,
      String customer,
      String sku,
      int quantity,
      String amount,
      String card,
      String locale,
      String scenario,
      SagaState expected)
      throws SQLException {
    Event e =
        system.orders().place(id, customer, sku, quantity, new BigDecimal(amount), card, locale);
    planned.add(new Planned(id, scenario, expected));
    out.printf("  placed %s (%s)%n", id, scenario);
    return e;
  }

  /** o-1004's locale has no template: dead-lettered; the operator adds it and replays. */
  private void deadLetterAndReplay(Event poison) throws Exception {
    DeadLetterQuery query =
        DeadLetterQuery.builder()
            .topic(Topics.ORDERS)
            .group(NotificationsService.PLACED_GROUP)
            .key(poison.key().orElseThrow())
            .build();
    waitFor("the notification of o-1004 to be dead-lettered", () -> !list(query).isEmpty());
    out.println("  o-1004: notification dead-lettered (no template for locale fr)");
    NotificationsService.addTemplate(
        system.dataSource(), "fr", "Merci, %s : la commande %s est passée.");
    var replayed = system.deadLetters().replay(query, "operator");
    out.printf("  o-1004: template added, %d dead letter(s) replayed%n", replayed.records());
    waitFor("the replayed notification", () -> notified(poison.key().orElseThrow()) > 0);
    notes.merge("o-1004", "dead-lettered, fixed, replayed", (a, b) -> a + "; " + b);
  }

  /** Publishes two facts again with their original event ids, as a producer retry would. */
  private void deliverTwice(Event... events) throws InterruptedException {
    try (KafkaProducer<byte[], byte[]> producer =
        new KafkaProducer<>(kafka, new ByteArraySerializer(), new ByteArraySerializer())) {
      for (Event e : events) {
        producer.send(KafkaRecords.toProducerRecord(e));
        producer.send(KafkaRecords.toProducerRecord(e));
        notes.merge(e.key().orElseThrow(), "delivered 2 more times", (a, b) -> a + "; " + b);
      }
      producer.flush();
    }
    out.println("  o-1001, o-1004: order.placed delivered twice more (same keel-event-id)");
    waitFor(
        "the duplicates to be skipped",
        () ->
            system
                    .meters()
                    .find(KeelMeters.CONSUMER_RECORDS)
                    .tag("group", NotificationsService.PLACED_GROUP)
                    .tag("result", "duplicate")
                    .counters()
                    .stream()
                    .mapToDouble(Counter::count)
                    .sum()
                >= 4);
  }

  /** Shipping goes down; two orders wait at create-shipment; shipping comes back. */
  private void restartShippingMidSaga() throws Exception {
    system.stopShipping();
    out.println("  shipping service stopped");
    place("o-1005", "alan", "paddle", 1, "29.00", "visa-4444", "en", "shipping restarted");
    place("o-1006", "edsger", "kayak", 1, "499.00", "visa-5555", "en", "shipping restarted");
    waitFor(
        "o-1005 and o-1006 to wait for shipping",
        () -> atStep("o-1005", "create-shipment") && atStep("o-1006", "create-shipment"));
    out.println("  o-1005, o-1006: waiting at create-shipment; restarting shipping");
    system.startShipping();
    notes.put("o-1005", "shipping restarted mid-saga");
    notes.put("o-1006", "shipping restarted mid-saga");
  }

  private Result result() throws SQLException {
    List<OrderRow> rows = new ArrayList<>();
    List<String> problems = new ArrayList<>();
    for (Planned p : planned) {
      OrderRow row = OrderReport.row(system, p.orderId(), p.scenario(), notes.get(p.orderId()));
      rows.add(row);
      if (!p.expected().name().equals(row.sagaState())) {
        problems.add(p.orderId() + ": saga " + row.sagaState() + ", expected " + p.expected());
      }
      problems.addAll(OrderReport.consistency(row));
    }
    return new Result(rows, metrics(), problems);
  }

  private Map<String, String> metrics() {
    MeterRegistry m = system.meters();
    Map<String, String> out = new LinkedHashMap<>();
    out.put("events published", String.valueOf((long) sum(m, KeelMeters.OUTBOX_PUBLISHED)));
    out.put("duplicates skipped", String.valueOf((long) counter("duplicate")));
    out.put("dead letters", String.valueOf(list(DeadLetterQuery.all()).size()));
    StringBuilder sagas = new StringBuilder();
    for (SagaState s : SagaState.values()) {
      int n = system.orchestrator().admin().byState(s, 1000).size();
      if (n > 0) {
        sagas.append(sagas.length() == 0 ? "" : ", ").append(s).append(' ').append(n);
      }
    }
    out.put("sagas by state", sagas.toString());
    Timer latency = m.find(KeelMeters.OUTBOX_PUBLISH_LATENCY).timer();
    String p99 = "n/a";
    if (latency != null) {
      for (ValueAtPercentile v : latency.takeSnapshot().percentileValues()) {
        if (v.percentile() == 0.99) {
          p99 = String.format("%.1f ms", v.value(TimeUnit.MILLISECONDS));
        }
      }
    }
    out.put("relay latency p99 (append to ack)", p99);
    return out;
  }

  private static double sum(MeterRegistry m, String name) {
    return m.find(name).counters().stream().mapToDouble(Counter::count).sum();
  }

  private double counter(String result) {
    return system
        .meters()
        .find(KeelMeters.CONSUMER_RECORDS)
        .tag("result", result)
        .counters()
        .stream()
        .mapToDouble(Counter::count)
        .sum();
  }

  private List<?> list(DeadLetterQuery q) {
    return system.deadLetters().list(q);
  }

  private long notified(String orderId) {
    try {
      return Sql.count(
          system.dataSource(),
          "SELECT COUNT(*) FROM notifications_message WHERE order_id = ? AND kind = 'order.placed'",
          orderId);
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  private boolean atStep(String orderId, String step) {
    return saga(orderId).map(v -> step.equals(v.step()) && !v.state().isTerminal()).orElse(false);
  }

  private java.util.Optional<SagaView> saga(String orderId) {
    try {
      String id =
          Sql.value(system.dataSource(), "SELECT saga_id FROM orders_order WHERE id = ?", orderId);
      return id == null
          ? java.util.Optional.empty()
          : system.orchestrator().admin().byId(UUID.fromString(id));
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  private boolean allEnded() {
    return planned.stream()
        .allMatch(p -> saga(p.orderId()).map(v -> v.state().isTerminal()).orElse(false));
  }

  private boolean allSettled() {
    try {
      for (Planned p : planned) {
        OrderRow row = OrderReport.row(system, p.orderId(), p.scenario(), notes.get(p.orderId()));
        if (!OrderReport.consistency(row).isEmpty()) {
          return false;
        }
      }
      return true;
    } catch (SQLException e) {
      return false;
    }
  }

  /** Waits for a condition up to {@link #WAIT}; unlike waitFor, not meeting it is not an error. */
  private static void settle(BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (!condition.getAsBoolean() && System.nanoTime() < deadline) {
      Thread.sleep(100);
    }
  }

  private static void waitFor(String what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("Timed out after " + WAIT + " waiting for " + what);
      }
      Thread.sleep(100);
    }
  }
}
