package dev.keel.consumer;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a method of a plain object as the handler of one event type on one topic for one consumer
 * group. Register the object with {@link ConsumerRuntime.Builder#register(Object)}.
 *
 * <p>Parameters are resolved by type, in any order:
 *
 * <ul>
 *   <li>{@link dev.keel.event.Event}: the envelope;
 *   <li>{@link Delivery}: envelope, payload, transaction and record coordinates;
 *   <li>{@link java.sql.Connection}: the handler's open transaction (the dedupe row is already in
 *       it; do not commit, roll back or close it);
 *   <li>{@code org.jooq.DSLContext}: the same transaction through jOOQ;
 *   <li>at most one payload class (a record, typically): decoded from JSON into the class the
 *       event's contract names for its type and version ({@link
 *       dev.keel.event.contract.EventContract#payloadType()}), or into this parameter's class when
 *       the type has no registered contract; never into a class named by a header.
 * </ul>
 *
 * <pre>{@code
 * final class Billing {
 *   @KeelListener(topic = "orders", group = "billing", type = "order.placed")
 *   void on(OrderPlaced order, Connection tx) throws SQLException {
 *     invoices.create(tx, order);                // committed with the dedupe row, or not at all
 *     outbox.append(tx, invoiceCreated(order));  // exactly one downstream event
 *   }
 * }
 * }</pre>
 *
 * <p>Misconfiguration (no group, no topic, an unsupported parameter, two handlers for one type,
 * settings that disagree within a group and topic) fails {@link ConsumerRuntime.Builder#build()}
 * with a message naming the method. The method may be non-public; it may throw any exception, which
 * goes to the retry policy.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface KeelListener {
  /** The topic. Required. */
  String topic();

  /** The consumer group; its dedupe rows are keyed by it. Required. */
  String group();

  /**
   * The event type handled, such as {@code order.placed}. Empty: inferred from the payload
   * parameter's class when exactly one registered contract names it; otherwise every type on the
   * topic without a handler of its own.
   */
  String type() default "";

  /**
   * The idempotency key: empty for {@code keel-event-id} (the default), {@code header:<name>} for a
   * header, or {@code payload:<field>} (a dotted path into the JSON payload) for a business key.
   */
  String idempotencyKey() default "";

  /** Order per partition (default) or per key within a partition. */
  Ordering ordering() default Ordering.PARTITION;

  /** Worker threads for this group and topic; 0 takes {@link ConsumerRuntime.Builder#threads}. */
  int concurrency() default 0;

  /**
   * An id naming the listener in configuration: lower-case letters, digits and {@code -}, such as
   * {@code billing-orders}. Keel's Spring Boot starter reads {@code keel.listeners.<id>.*} for it.
   * Empty (the default): none.
   */
  String id() default "";
}
