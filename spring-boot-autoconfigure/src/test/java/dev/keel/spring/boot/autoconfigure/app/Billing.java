package dev.keel.spring.boot.autoconfigure.app;

import dev.keel.consumer.KeelListener;
import dev.keel.event.Event;
import dev.keel.spring.boot.autoconfigure.listener.KeelRetry;
import jakarta.persistence.EntityManager;
import jakarta.persistence.EntityManagerFactory;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.orm.jpa.SharedEntityManagerCreator;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * A listener bean of the test application: for each event, an entity through JPA and a row through
 * {@code JdbcTemplate}; fails its first {@link #failures} attempts after writing both. Records what
 * it saw inside its transaction.
 */
public class Billing {
  public static final String TOPIC = "keel-boot-it-billing";
  public static final String GROUP = "keel-boot-it-billing";

  private final EntityManager em;
  private final JdbcTemplate jdbc;

  /** Attempts to fail, after writing (counted down). */
  public final AtomicInteger failures = new AtomicInteger();

  /** Handler calls. */
  public final AtomicInteger calls = new AtomicInteger();

  /** Per call: whether a Spring transaction was active. */
  public final List<Boolean> inTransaction = new CopyOnWriteArrayList<>();

  /** Per call: the dedupe rows of the event visible to JdbcTemplate inside the handler. */
  public final List<Long> dedupeRowsSeen = new CopyOnWriteArrayList<>();

  /** Per call: the entities of the event visible at the start of the handler. */
  public final List<Long> entitiesSeenBefore = new CopyOnWriteArrayList<>();

  public Billing(EntityManagerFactory emf, JdbcTemplate jdbc) {
    this.em = SharedEntityManagerCreator.createSharedEntityManager(emf);
    this.jdbc = jdbc;
  }

  @KeelListener(topic = TOPIC, group = GROUP, type = "order.placed", id = "billing")
  @KeelRetry(maxAttempts = 2, initialDelay = "10ms")
  void on(Event event) {
    calls.incrementAndGet();
    inTransaction.add(TransactionSynchronizationManager.isActualTransactionActive());
    String id = event.id().toString();
    dedupeRowsSeen.add(
        jdbc.queryForObject(
            "SELECT count(*) FROM keel_consumer_dedupe WHERE consumer_group = ? AND event_id = ?",
            Long.class,
            GROUP,
            id));
    entitiesSeenBefore.add(
        jdbc.queryForObject(
            "SELECT count(*) FROM purchase_order WHERE id = ?", Long.class, "jpa-" + id));
    em.persist(new PurchaseOrder("jpa-" + id, 1));
    em.flush();
    jdbc.update("INSERT INTO purchase_order (id, total) VALUES (?, 2)", "jdbc-" + id);
    if (failures.getAndDecrement() > 0) {
      throw new IllegalStateException("billing failed after writing");
    }
  }
}
