package dev.keel.saga;

import dev.keel.event.KeelConfigurationException;
import dev.keel.event.sql.SqlDialect;
import dev.keel.event.sql.TableNames;
import dev.keel.saga.internal.DefaultSagaAdmin;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import javax.sql.DataSource;

/**
 * Queries and operator actions on stored sagas. Needs only the database: the actions write the saga
 * row and an audit row, and a running {@link SagaOrchestrator} picks the saga up at its next
 * deadline scan.
 *
 * <pre>{@code
 * SagaAdmin admin = SagaAdmin.builder().dataSource(ds).build();
 * for (SagaView s : admin.compensationFailed()) {
 *   admin.retryCompensation(s.id(), "alice", "payment service fixed");
 * }
 * }</pre>
 *
 * <p>Thread-safe; holds no connection.
 */
public interface SagaAdmin {

  /** Starts a builder. */
  static Builder builder() {
    return new Builder();
  }

  /** A saga with its step log, or empty. */
  Optional<SagaView> byId(UUID id);

  /**
   * Sagas in a state, oldest progress first, without step logs.
   *
   * @param state the state
   * @param limit at most this many, 1 to 10,000
   */
  List<SagaView> byState(SagaState state, int limit);

  /**
   * In-flight sagas ({@code RUNNING}, {@code COMPENSATING}) without progress for longer than a
   * threshold, oldest first.
   *
   * @param threshold no step progress for longer than this
   * @param limit at most this many, 1 to 10,000
   */
  List<SagaView> stuck(Duration threshold, int limit);

  /** How many in-flight sagas made no progress for longer than {@code threshold}. */
  long countStuck(Duration threshold);

  /** The operator list: {@code COMPENSATION_FAILED} sagas not resolved by hand, oldest first. */
  List<SagaView> compensationFailed();

  /**
   * Puts a {@code COMPENSATION_FAILED} saga back to {@code COMPENSATING} at the compensation that
   * failed, with a fresh attempt budget, due now. Audited.
   *
   * @param id the saga
   * @param actor who asks, required
   * @param reason why, may be null
   * @throws dev.keel.event.NonRetriableKeelException when the saga does not exist or is not in
   *     {@code COMPENSATION_FAILED} (or was resolved)
   */
  void retryCompensation(UUID id, String actor, String reason);

  /**
   * Records that an operator undid the remaining effects by hand: the saga stays in {@code
   * COMPENSATION_FAILED} (its terminal state), leaves the operator list, and carries who resolved
   * it and why. Audited.
   *
   * @param id the saga
   * @param actor who resolved it, required
   * @param reason what was done, required
   * @throws dev.keel.event.NonRetriableKeelException when the saga does not exist or is not in
   *     {@code COMPENSATION_FAILED} (or was resolved already)
   */
  void resolve(UUID id, String actor, String reason);

  /** The operator actions on a saga, oldest first. */
  List<SagaAuditEntry> audit(UUID id);

  /** Builds a {@link SagaAdmin}. Not thread-safe. */
  final class Builder {
    private DataSource dataSource;
    private SqlDialect dialect;
    private TableNames tableNames = TableNames.defaults();
    private Clock clock = Clock.systemUTC();
    private java.util.function.Supplier<String> actor;

    private Builder() {}

    /** The shared database: its data source, dialect and table names. */
    public Builder database(dev.keel.event.config.KeelDatabase database) {
      this.dataSource = database.dataSource();
      this.tableNames = database.tableNames();
      this.dialect = database.dialect().orElse(null);
      return this;
    }

    /**
     * The identity the deployment vouches for (a security context, the user a CLI runs as), asked
     * on every retry and resolution and recorded instead of the declared actor; a call that
     * declares another name, or a supplier that gives none, is refused. None by default.
     */
    public Builder actor(java.util.function.Supplier<String> verifiedActor) {
      this.actor = java.util.Objects.requireNonNull(verifiedActor, "SagaAdmin.actor");
      return this;
    }

    /** The database. Required. */
    public Builder dataSource(DataSource dataSource) {
      this.dataSource = dataSource;
      return this;
    }

    /** The dialect; detected when not set. */
    public Builder dialect(SqlDialect dialect) {
      this.dialect = dialect;
      return this;
    }

    /** Schema and prefix; {@link TableNames#defaults()} by default. */
    public Builder tableNames(TableNames tableNames) {
      this.tableNames = tableNames;
      return this;
    }

    /** The clock of audit times and thresholds; UTC system clock by default. */
    public Builder clock(Clock clock) {
      this.clock = clock;
      return this;
    }

    /** Validates and builds. */
    public SagaAdmin build() {
      if (dataSource == null) {
        throw new KeelConfigurationException("SagaAdmin.dataSource is required");
      }
      if (tableNames == null || clock == null) {
        throw new KeelConfigurationException(
            "SagaAdmin.tableNames and SagaAdmin.clock are required");
      }
      return new DefaultSagaAdmin(
          dataSource,
          dialect != null ? dialect : SqlDialect.detect(dataSource),
          tableNames,
          clock,
          actor);
    }
  }
}
