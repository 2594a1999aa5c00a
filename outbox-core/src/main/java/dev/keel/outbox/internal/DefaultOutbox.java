package dev.keel.outbox.internal;

import dev.keel.event.Event;
import dev.keel.event.FailureClass;
import dev.keel.event.NonRetriableKeelException;
import dev.keel.event.RetriableKeelException;
import dev.keel.event.TraceContext;
import dev.keel.event.config.MissingSchemaException;
import dev.keel.event.contract.EventContracts;
import dev.keel.event.sql.SqlDialect;
import dev.keel.event.sql.TableNames;
import dev.keel.outbox.AutoCommitConnectionException;
import dev.keel.outbox.InvalidEventException;
import dev.keel.outbox.Outbox;
import dev.keel.outbox.observation.OutboxAppendObservationConvention;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/** The {@link Outbox}: validates, then inserts with one prepared statement (batched for many). */
public final class DefaultOutbox implements Outbox {
  private final TableNames names;
  private final int lanes;
  private final int maxPayloadBytes;
  private final EventContracts contracts;
  private final Set<String> keyedTopics;
  private final boolean allTopicsKeyed;
  private final AppendObservations observations;
  private volatile OutboxSql sql;

  /** Use {@link Outbox#builder()}. */
  public DefaultOutbox(
      TableNames names,
      SqlDialect dialect,
      int lanes,
      int maxPayloadBytes,
      EventContracts contracts,
      Set<String> keyedTopics,
      boolean allTopicsKeyed,
      ObservationRegistry observationRegistry,
      OutboxAppendObservationConvention observationConvention) {
    this.names = names;
    this.lanes = lanes;
    this.maxPayloadBytes = maxPayloadBytes;
    this.contracts = contracts;
    this.keyedTopics = Set.copyOf(keyedTopics);
    this.allTopicsKeyed = allTopicsKeyed;
    this.observations = new AppendObservations(observationRegistry, observationConvention);
    this.sql = dialect == null ? null : new OutboxSql(dialect, names);
  }

  @Override
  public TableNames tableNames() {
    return names;
  }

  @Override
  public int lanes() {
    return lanes;
  }

  @Override
  public EventContracts contracts() {
    return contracts;
  }

  @Override
  public boolean requiresKey(String topic) {
    return allTopicsKeyed || keyedTopics.contains(topic);
  }

  @Override
  public int laneOf(String key) {
    return Lanes.of(key, new UUID(0, 0), lanes);
  }

  @Override
  public UUID append(Connection connection, Event event) {
    return appendAll(connection, List.of(event)).get(0);
  }

  @Override
  public List<UUID> appendAll(Connection connection, List<Event> events) {
    if (events.isEmpty()) {
      return List.of();
    }
    requireTransaction(connection);
    if (observations.off()) {
      return insert(connection, withTrace(events));
    }
    return observed(connection, events);
  }

  /**
   * One {@code create <topic>} observation per event around validation and insert; each event is
   * stored with the trace context its observation's handlers injected.
   */
  private List<UUID> observed(Connection connection, List<Event> events) {
    List<Observation> started = new ArrayList<>(events.size());
    List<Event> traced = new ArrayList<>(events.size());
    try {
      for (Event e : events) {
        Observation o = observations.start(e);
        started.add(o);
        traced.add(AppendObservations.withInjected(o, e));
      }
      return insert(connection, withTrace(traced));
    } catch (RuntimeException | Error e) {
      started.forEach(o -> o.error(e));
      throw e;
    } finally {
      started.forEach(Observation::stop);
    }
  }

  private List<UUID> insert(Connection connection, List<Event> events) {
    events.forEach(this::validate);
    OutboxSql s = sql(connection);
    List<UUID> ids = new ArrayList<>(events.size());
    try (PreparedStatement ps = connection.prepareStatement(s.insert())) {
      for (Event e : events) {
        bind(ps, e, s.dialect);
        ids.add(e.id());
        if (events.size() > 1) {
          ps.addBatch();
        }
      }
      if (events.size() > 1) {
        ps.executeBatch();
      } else {
        ps.executeUpdate();
      }
    } catch (SQLException e) {
      if (Jdbc.isUniqueViolation(e)) {
        throw new NonRetriableKeelException(
            FailureClass.VALIDATION,
            "Outbox " + names + ": an event id is already in the outbox (append each event once)",
            e);
      }
      MissingSchemaException.of(e, "outbox", names, s.dialect)
          .ifPresent(
              missing -> {
                throw missing;
              });
      throw new RetriableKeelException("Outbox " + names + ": append failed: " + e.getMessage(), e);
    }
    return ids;
  }

  /** An auto-commit connection would commit each row on its own, apart from the business change. */
  private void requireTransaction(Connection connection) {
    boolean autoCommit;
    try {
      autoCommit = connection.getAutoCommit();
    } catch (SQLException e) {
      throw new RetriableKeelException(
          "Outbox " + names + ": cannot read the connection's auto-commit mode: " + e.getMessage(),
          e);
    }
    if (autoCommit) {
      throw new AutoCommitConnectionException(
          "Outbox "
              + names
              + ": append needs a connection in an open transaction, but auto-commit is on: the"
              + " event would commit on its own, apart from your business change. Call"
              + " connection.setAutoCommit(false) and commit both together (with jOOQ, append"
              + " inside dsl.transaction(...))");
    }
  }

  /** Events without a trace of their own get a child of the thread's current trace, if any. */
  private static List<Event> withTrace(List<Event> events) {
    Optional<String> current = TraceContext.current();
    if (current.isEmpty() || events.stream().allMatch(e -> e.traceParent().isPresent())) {
      return events;
    }
    List<Event> traced = new ArrayList<>(events.size());
    for (Event e : events) {
      traced.add(
          e.traceParent().isPresent()
              ? e
              : e.toBuilder().traceParent(TraceContext.child(current.get())).build());
    }
    return traced;
  }

  private void bind(PreparedStatement ps, Event e, SqlDialect dialect) throws SQLException {
    String key = e.key().orElse(null);
    ps.setInt(1, Lanes.of(key, e.id(), lanes));
    Jdbc.setUuid(ps, 2, e.id(), dialect);
    ps.setString(3, e.topic());
    ps.setString(4, key);
    ps.setString(5, e.type());
    ps.setInt(6, e.contractVersion());
    ps.setString(7, StoredHeaders.encode(e));
    ps.setBytes(8, e.payload());
  }

  private void validate(Event e) {
    if (e.payloadSize() > maxPayloadBytes) {
      throw new InvalidEventException(
          "Outbox: event "
              + e.id()
              + " ("
              + e.type()
              + ") to topic "
              + e.topic()
              + " has a payload of "
              + e.payloadSize()
              + " bytes, over the limit of "
              + maxPayloadBytes);
    }
    if (e.key().isEmpty() && requiresKey(e.topic())) {
      throw new InvalidEventException(
          "Outbox: event "
              + e.id()
              + " ("
              + e.type()
              + ") has no partition key,"
              + " but topic "
              + e.topic()
              + " is declared keyed");
    }
    contracts.check(e.type(), e.contractVersion());
  }

  private OutboxSql sql(Connection c) {
    OutboxSql s = sql;
    if (s == null) {
      try {
        s = new OutboxSql(SqlDialect.detect(c), names);
      } catch (SQLException e) {
        throw new RetriableKeelException(
            "Outbox: cannot detect the database dialect: " + e.getMessage(), e);
      }
      sql = s;
    }
    return s;
  }
}
