package dev.keel.consumer;

import dev.keel.event.Event;
import dev.keel.event.sql.SqlDialect;
import java.sql.Connection;

/**
 * One event delivered to a handler: the envelope, the decoded payload, the open transaction and
 * where the record came from.
 *
 * <p>Valid only during the handler call and only on the calling thread; do not keep it.
 */
public interface Delivery {

  /** The event envelope. */
  Event event();

  /**
   * The payload decoded into the listener's payload class, or null when the listener has none.
   *
   * @param <T> the payload class
   */
  <T> T payload();

  /**
   * The handler's open transaction. The dedupe row is already in it; the runtime commits after the
   * handler returns. Do not commit, roll back or close it; append to the outbox through it.
   */
  Connection connection();

  /** The database's dialect, for building SQL (or a jOOQ context) on {@link #connection()}. */
  SqlDialect dialect();

  /** The consumer group. */
  String group();

  /** The idempotency key the dedupe row was inserted with. */
  String idempotencyKey();

  /** The Kafka partition. */
  int partition();

  /** The Kafka offset. */
  long offset();

  /** 1 on the first attempt, 2 on the first retry, and so on. */
  int attempt();
}
