package dev.keel.outbox;

import dev.keel.event.sql.SqlDialect;
import dev.keel.event.sql.TableNames;
import dev.keel.outbox.internal.DefaultOutboxAdmin;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import javax.sql.DataSource;

/**
 * Operator actions on an outbox, usable without a running relay: see the backlog, list quarantined
 * rows, send one back to its lane or discard it, and resume a strictly ordered lane that stopped.
 *
 * <pre>{@code
 * OutboxAdmin admin = OutboxAdmin.create(dataSource, TableNames.defaults());
 * for (QuarantinedEvent q : admin.quarantined(50)) { ... }
 * admin.retry(eventId);
 * }</pre>
 *
 * Thread-safe; holds no connection between calls.
 */
public interface OutboxAdmin {

  /**
   * An admin on a database.
   *
   * @param dataSource the database with the outbox tables
   * @param names where the tables live
   */
  static OutboxAdmin create(DataSource dataSource, TableNames names) {
    return new DefaultOutboxAdmin(dataSource, SqlDialect.detect(dataSource), names);
  }

  /** Rows waiting to be published. */
  long pending();

  /** Age of the oldest waiting row, if any. */
  Optional<Duration> oldestAge();

  /** Quarantined rows, oldest first, at most {@code limit}. */
  List<QuarantinedEvent> quarantined(int limit);

  /**
   * Sends a quarantined row back to the end of its lane, with the same event id.
   *
   * @return whether a row with that id was quarantined
   */
  boolean retry(UUID eventId);

  /**
   * Deletes a quarantined row for good.
   *
   * @return whether a row with that id was quarantined
   */
  boolean discard(UUID eventId);

  /** Lanes stopped at a row they could not publish, with the reason. */
  java.util.Map<Integer, String> stoppedLanes();

  /**
   * Lets a stopped lane flow again (after its quarantined row was retried or discarded).
   *
   * @return whether the lane was stopped
   */
  boolean resumeLane(int lane);
}
