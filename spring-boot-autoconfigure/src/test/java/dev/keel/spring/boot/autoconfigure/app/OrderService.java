package dev.keel.spring.boot.autoconfigure.app;

import dev.keel.event.Event;
import dev.keel.spring.boot.autoconfigure.outbox.TransactionalOutbox;
import jakarta.persistence.EntityManager;
import jakarta.persistence.EntityManagerFactory;
import java.util.UUID;
import org.springframework.orm.jpa.SharedEntityManagerCreator;
import org.springframework.transaction.annotation.Transactional;

/** The natural Boot service: a {@code @Transactional} method saving an entity and an event. */
public class OrderService {
  private final EntityManager em;
  private final TransactionalOutbox outbox;

  public OrderService(EntityManagerFactory emf, TransactionalOutbox outbox) {
    this.em = SharedEntityManagerCreator.createSharedEntityManager(emf);
    this.outbox = outbox;
  }

  /** Saves the order and appends its event; throws after both when {@code fail}. */
  @Transactional
  public UUID place(String orderId, boolean fail) {
    em.persist(new PurchaseOrder(orderId, 42));
    em.flush();
    UUID id = outbox.append(event(orderId));
    if (fail) {
      throw new IllegalStateException("business rule failed after the append");
    }
    return id;
  }

  public static Event event(String orderId) {
    return Event.builder()
        .type("order.placed")
        .topic("orders")
        .key(orderId)
        .source("order-service")
        .payloadJson(java.util.Map.of("orderId", orderId))
        .build();
  }
}
