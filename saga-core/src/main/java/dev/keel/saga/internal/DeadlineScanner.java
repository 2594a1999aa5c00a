package dev.keel.saga.internal;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Claims due sagas one at a time with {@code FOR UPDATE SKIP LOCKED}, each in its own transaction,
 * so that any number of orchestrator instances share the work and one bad saga cannot block the
 * others: a saga whose handling fails has its deadline pushed back by a minute.
 */
final class DeadlineScanner {
  private static final Logger log = LoggerFactory.getLogger(DeadlineScanner.class);
  private static final Duration BACKOFF = Duration.ofMinutes(1);

  private final DataSource dataSource;
  private final SagaStore store;
  private final SagaEngine engine;
  private final Clock clock;
  private final int batchSize;

  DeadlineScanner(
      DataSource dataSource, SagaStore store, SagaEngine engine, Clock clock, int batchSize) {
    this.dataSource = dataSource;
    this.store = store;
    this.engine = engine;
    this.clock = clock;
    this.batchSize = batchSize;
  }

  int scan() {
    int handled = 0;
    while (handled < batchSize && !Thread.currentThread().isInterrupted()) {
      if (!handleOne()) {
        break;
      }
      handled++;
    }
    return handled;
  }

  private boolean handleOne() {
    Instant now = clock.instant();
    SagaRow claimed = null;
    long version = 0;
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      try {
        Optional<SagaRow> row = store.claimDue(c, now);
        if (row.isEmpty()) {
          c.commit();
          return false;
        }
        claimed = row.get();
        version = claimed.lockVersion;
        engine.onDeadline(c, claimed);
        c.commit();
        return true;
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        if (claimed == null) {
          throw e;
        }
        log.warn(
            "Saga {} {}: handling its deadline failed, retried in {}: {}",
            claimed.name,
            claimed.id,
            BACKOFF,
            e.getMessage());
        postpone(c, claimed, version, now.plus(BACKOFF));
        return true;
      }
    } catch (SQLException e) {
      throw new dev.keel.event.RetriableKeelException(
          "Saga deadline scan: database error: " + e.getMessage(), e);
    }
  }

  private void postpone(Connection c, SagaRow row, long version, Instant until)
      throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement(
            "UPDATE "
                + store.sagaTable()
                + " SET deadline = ? WHERE id = ? AND lock_version = ?")) {
      store.setTime(ps, 1, until);
      store.setId(ps, 2, row.id);
      ps.setLong(3, version);
      ps.executeUpdate();
      c.commit();
    }
  }
}
