package dev.keel.outbox;

import dev.keel.event.Event;
import java.util.List;
import java.util.UUID;
import org.jooq.DSLContext;

/**
 * Appends to an {@link Outbox} through a jOOQ context whose connection is in the caller's
 * transaction. A context that hands out an auto-commit connection (no {@code transaction(...)}
 * around the call) is refused with {@link AutoCommitConnectionException}.
 *
 * <p>Kept apart from {@link Outbox} on purpose: jOOQ is an optional dependency, and a method taking
 * a jOOQ type on the outbox itself would need jOOQ on the class path of every application that
 * compiles against the outbox or, like Spring, inspects its methods by reflection.
 *
 * <pre>{@code
 * dsl.transaction(cfg -> {
 *   DSLContext tx = DSL.using(cfg);
 *   tx.insertInto(ORDERS).set(...).execute();
 *   JooqOutbox.append(outbox, tx, event);
 * });
 * }</pre>
 */
public final class JooqOutbox {
  private JooqOutbox() {}

  /**
   * Appends one event on the context's connection.
   *
   * @param outbox the outbox
   * @param context a jOOQ context in the caller's transaction
   * @param event the event
   * @return the event's id
   */
  public static UUID append(Outbox outbox, DSLContext context, Event event) {
    return context.connectionResult(c -> outbox.append(c, event));
  }

  /**
   * Appends events on the context's connection, in one JDBC batch.
   *
   * @param outbox the outbox
   * @param context a jOOQ context in the caller's transaction
   * @param events the events, in order
   * @return their ids, in order
   */
  public static List<UUID> appendAll(Outbox outbox, DSLContext context, List<Event> events) {
    return context.connectionResult(c -> outbox.appendAll(c, events));
  }
}
