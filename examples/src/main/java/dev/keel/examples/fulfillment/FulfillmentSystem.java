package dev.keel.examples.fulfillment;

import dev.keel.consumer.ConsumerRuntime;
import dev.keel.dlq.DeadLetterStore;
import dev.keel.dlq.DeadLetters;
import dev.keel.event.config.KeelDatabase;
import dev.keel.event.config.KeelKafka;
import dev.keel.examples.fulfillment.inventory.InventoryService;
import dev.keel.examples.fulfillment.notifications.NotificationsService;
import dev.keel.examples.fulfillment.orders.OrdersService;
import dev.keel.examples.fulfillment.payments.PaymentsService;
import dev.keel.examples.fulfillment.shipping.ShippingService;
import dev.keel.outbox.Outbox;
import dev.keel.outbox.OutboxRelay;
import dev.keel.saga.SagaDefinition;
import dev.keel.saga.SagaOrchestrator;
import dev.keel.saga.SagaParticipant;
import io.micrometer.core.instrument.MeterRegistry;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import javax.sql.DataSource;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The whole order-fulfillment system in one JVM: the orders service (with the saga orchestrator),
 * inventory, payments and shipping (saga participants) and notifications (a choreographed
 * consumer). The services share one database but each owns its tables, and they talk only through
 * Kafka: commands, replies and facts all go through the outbox, and every consumer is idempotent.
 *
 * <p>Not thread-safe for lifecycle calls; {@link #close()} stops everything it started.
 */
public final class FulfillmentSystem implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(FulfillmentSystem.class);

  /**
   * How long every consumer keeps dedupe rows: with the 3-day replay window of the topology, within
   * the topics' 7-day retention (the advisor checks it).
   */
  public static final Duration DEDUPE_RETENTION = Duration.ofDays(3);

  private final Map<String, Object> kafka;
  private final DataSource ds;
  private final MeterRegistry meters;
  private final Outbox outbox = Outbox.builder().requireKeyOnAllTopics().build();
  private final SagaDefinition<OrderSagaData> saga = OrderFulfillmentSaga.definition();
  private final List<AutoCloseable> started = new ArrayList<>();
  private final OutboxRelay relay;
  private final SagaOrchestrator orchestrator;
  private final OrdersService orders;
  private final DeadLetterStore deadLetterStore;
  private final DeadLetters deadLetters;
  private ConsumerRuntime shipping;

  private FulfillmentSystem(Map<String, Object> kafka, DataSource ds, MeterRegistry meters)
      throws Exception {
    this.kafka = Map.copyOf(kafka);
    this.ds = ds;
    this.meters = meters;
    createTopics();
    OrdersService.install(ds);
    InventoryService.install(ds);
    PaymentsService.install(ds);
    ShippingService.install(ds);
    NotificationsService.install(ds);
    relay =
        keep(
            OutboxRelay.builder()
                .database(KeelDatabase.builder().dataSource(ds).build())
                .kafka(KeelKafka.builder().properties(kafka).build())
                .outbox(outbox)
                .meterRegistry(meters)
                .build());
    relay.start();
    orchestrator =
        keep(
            SagaOrchestrator.builder()
                .dataSource(ds)
                .outbox(outbox)
                .consumerProperties(consumerProperties())
                .group("orders-saga")
                .consumerRuntime(b -> b.dedupeRetention(DEDUPE_RETENTION))
                .definition(saga)
                .meterRegistry(meters)
                .build());
    orchestrator.start();
    orders = new OrdersService(ds, outbox, orchestrator, saga);
    runtime("orders", b -> b.listener(orders.outcomeListener()));
    runtime("inventory", participant(InventoryService.participant(outbox)));
    runtime("payments", participant(PaymentsService.participant(outbox)));
    startShipping();
    runtime("notifications", b -> b.register(new NotificationsService()));
    deadLetterStore = DeadLetterStore.builder().dataSource(ds).build();
    deadLetters =
        keep(
            DeadLetters.builder()
                .store(deadLetterStore)
                .kafka(kafka)
                .meterRegistry(meters)
                .build());
  }

  /**
   * Starts the system on a broker and a database.
   *
   * @param kafka Kafka client properties (bootstrap servers, security)
   * @param ds the database; the services' tables must not exist yet
   * @param meters where every component's metrics go
   */
  public static FulfillmentSystem start(
      Map<String, Object> kafka, DataSource ds, MeterRegistry meters) throws Exception {
    return new FulfillmentSystem(kafka, ds, meters);
  }

  /** The orders service, where orders are placed. */
  public OrdersService orders() {
    return orders;
  }

  /** The saga orchestrator (its {@link SagaOrchestrator#admin()} answers queries). */
  public SagaOrchestrator orchestrator() {
    return orchestrator;
  }

  /** The dead letters of every consumer, for operators. */
  public DeadLetters deadLetters() {
    return deadLetters;
  }

  /** The database. */
  public DataSource dataSource() {
    return ds;
  }

  /** The metrics of every component. */
  public MeterRegistry meters() {
    return meters;
  }

  /**
   * Stops the shipping service as a crash would, between polls: it replies to nothing meanwhile.
   */
  public void stopShipping() {
    shipping.close();
    started.remove(shipping);
  }

  /** Starts (or restarts) the shipping service; it picks up the commands sent meanwhile. */
  public void startShipping() {
    shipping = runtime("shipping", participant(ShippingService.participant(outbox)));
  }

  private ConsumerRuntime runtime(String service, Consumer<ConsumerRuntime.Builder> listeners) {
    ConsumerRuntime.Builder b =
        ConsumerRuntime.builder()
            .consumerProperties(consumerProperties())
            .producerProperties(kafka)
            .dataSource(ds)
            .threads(2)
            .meterRegistry(meters)
            .dedupeRetention(DEDUPE_RETENTION)
            .closeTimeout(Duration.ofSeconds(10));
    listeners.accept(b);
    ConsumerRuntime runtime = keep(b.build());
    runtime.start();
    return runtime;
  }

  private static Consumer<ConsumerRuntime.Builder> participant(SagaParticipant p) {
    return b -> p.listeners().forEach(b::listener);
  }

  private Map<String, Object> consumerProperties() {
    Map<String, Object> p = new HashMap<>(kafka);
    p.put("auto.offset.reset", "earliest");
    return p;
  }

  private <T extends AutoCloseable> T keep(T component) {
    started.add(component);
    return component;
  }

  private void createTopics() throws InterruptedException, ExecutionException, TimeoutException {
    try (Admin admin = Admin.create(kafka)) {
      Set<String> existing = admin.listTopics().names().get(30, TimeUnit.SECONDS);
      List<NewTopic> topics = new ArrayList<>();
      for (String t : Topics.ALL) {
        for (String name : List.of(t, t + ".dlq")) {
          if (!existing.contains(name)) {
            topics.add(new NewTopic(name, Optional.of(Topics.PARTITIONS), Optional.empty()));
          }
        }
      }
      admin.createTopics(topics).all().get(30, TimeUnit.SECONDS);
      awaitLeaders(admin);
    }
  }

  /**
   * Creation returns before the partitions' leaders serve requests; the relay's first batch must
   * not meet that window (see the README's limits), so wait until every leader answers.
   */
  private static void awaitLeaders(Admin admin) throws InterruptedException, TimeoutException {
    Map<TopicPartition, OffsetSpec> specs = new HashMap<>();
    for (String t : Topics.ALL) {
      for (String name : List.of(t, t + ".dlq")) {
        for (int p = 0; p < Topics.PARTITIONS; p++) {
          specs.put(new TopicPartition(name, p), OffsetSpec.latest());
        }
      }
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (true) {
      try {
        admin.listOffsets(specs).all().get(5, TimeUnit.SECONDS);
        return;
      } catch (ExecutionException | TimeoutException e) {
        if (System.nanoTime() > deadline) {
          throw new TimeoutException("Topic leaders not available after 30 s: " + e);
        }
        Thread.sleep(50);
      }
    }
  }

  /** Closes every component in reverse start order. */
  @Override
  public void close() throws SQLException {
    for (int i = started.size() - 1; i >= 0; i--) {
      try {
        started.get(i).close();
      } catch (Exception e) {
        log.warn("Closing {} failed", started.get(i), e);
      }
    }
    started.clear();
  }
}
