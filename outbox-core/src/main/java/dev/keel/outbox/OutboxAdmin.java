package dev.keel.outbox;

import dev.keel.event.sql.SqlDialect;
import dev.keel.event.sql.TableNames;
import dev.keel.outbox.internal.DefaultOutboxAdmin;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Supplier;
import javax.sql.DataSource;

/**
 * Operator actions on an outbox, usable without a running relay: see the backlog, list quarantined
 * rows, send one back to its lane or discard it, and resume a strictly ordered lane that stopped.
 * Every action is written to {@code <prefix>outbox_audit} (who, when, what, outcome) in the same
 * transaction as its change, also when it changed nothing.
 *
 * <pre>{@code
 * OutboxAdmin admin = OutboxAdmin.builder()
 *     .dataSource(dataSource)
 *     .actor(() -> securityContext.currentUser())   // the identity the deployment vouches for
 *     .build();
 * for (QuarantinedEvent q : admin.quarantined(50)) { ... }
 * admin.retry(eventId, null);                         // recorded as the verified user
 * }</pre>
 *
 * <p>Without {@link Builder#actor} the name each call declares is recorded as given; with it, the
 * verified identity is recorded and a call that declares another name is refused.
 *
 * <p>Thread-safe; holds no connection between calls.
 */
public interface OutboxAdmin {

  /**
   * An admin on a database, recording the actor each call declares.
   *
   * @param dataSource the database with the outbox tables
   * @param names where the tables live
   */
  static OutboxAdmin create(DataSource dataSource, TableNames names) {
    return builder().dataSource(dataSource).tableNames(names).build();
  }

  /** Starts a builder. */
  static Builder builder() {
    return new Builder();
  }

  /** Rows waiting to be published. */
  long pending();

  /**
   * Age of the oldest waiting row, if any, measured by the database against the clock that stamped
   * the row's {@code created_at}, so clock skew between the database and the application does not
   * show as age ({@code docs/design.md §12}).
   */
  Optional<Duration> oldestAge();

  /** Quarantined rows, oldest first, at most {@code limit}. */
  List<QuarantinedEvent> quarantined(int limit);

  /**
   * Sends a quarantined row back to the end of its lane, with the same event id; audited.
   *
   * @param eventId the quarantined event
   * @param actor who asks; null to record the {@link Builder#actor verified identity}
   * @return whether a row with that id was quarantined
   * @throws dev.keel.event.KeelConfigurationException when no actor is known or the declared one is
   *     not the verified identity
   */
  boolean retry(UUID eventId, String actor);

  /**
   * Deletes a quarantined row for good; audited, so that the event's id stays on record.
   *
   * @param eventId the quarantined event
   * @param actor who asks; null to record the {@link Builder#actor verified identity}
   * @return whether a row with that id was quarantined
   */
  boolean discard(UUID eventId, String actor);

  /** Lanes stopped at a row they could not publish, with the reason. */
  java.util.Map<Integer, String> stoppedLanes();

  /**
   * Lets a stopped lane flow again (after its quarantined row was retried or discarded); audited.
   *
   * @param lane the lane
   * @param actor who asks; null to record the {@link Builder#actor verified identity}
   * @return whether the lane was stopped
   */
  boolean resumeLane(int lane, String actor);

  /**
   * The latest operator actions, newest first.
   *
   * @param limit at most this many, 1 to 10,000
   */
  List<OutboxAuditEntry> audit(int limit);

  /** Builds an {@link OutboxAdmin}. Not thread-safe. */
  final class Builder {
    private DataSource dataSource;
    private TableNames names = TableNames.defaults();
    private SqlDialect dialect;
    private Supplier<String> actor;
    private Clock clock = Clock.systemUTC();

    private Builder() {}

    /** The shared database: its data source, dialect and table names. */
    public Builder database(dev.keel.event.config.KeelDatabase database) {
      this.dataSource = database.dataSource();
      this.names = database.tableNames();
      this.dialect = database.dialect().orElse(null);
      return this;
    }

    /** The database with the outbox tables; required. */
    public Builder dataSource(DataSource dataSource) {
      this.dataSource = Objects.requireNonNull(dataSource, "OutboxAdmin.dataSource");
      return this;
    }

    /** Where the tables live; {@link TableNames#defaults()} by default. */
    public Builder tableNames(TableNames names) {
      this.names = Objects.requireNonNull(names, "OutboxAdmin.tableNames");
      return this;
    }

    /** The dialect; detected from the data source by default. */
    public Builder dialect(SqlDialect dialect) {
      this.dialect = Objects.requireNonNull(dialect, "OutboxAdmin.dialect");
      return this;
    }

    /**
     * The identity the deployment vouches for (a security context, the user a CLI runs as), asked
     * on every action and recorded in the audit; none by default.
     */
    public Builder actor(Supplier<String> verifiedActor) {
      this.actor = Objects.requireNonNull(verifiedActor, "OutboxAdmin.actor");
      return this;
    }

    /** The clock for audit times; UTC system clock by default. */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "OutboxAdmin.clock");
      return this;
    }

    /**
     * Builds the admin.
     *
     * @throws dev.keel.event.KeelConfigurationException when the data source is missing
     */
    public OutboxAdmin build() {
      if (dataSource == null) {
        throw new dev.keel.event.KeelConfigurationException("OutboxAdmin.dataSource is required");
      }
      return new DefaultOutboxAdmin(
          dataSource,
          dialect != null ? dialect : SqlDialect.detect(dataSource),
          names,
          actor,
          clock);
    }
  }
}
