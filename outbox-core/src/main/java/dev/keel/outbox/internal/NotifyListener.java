package dev.keel.outbox.internal;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import javax.sql.DataSource;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Listens on the outbox's PostgreSQL channel with a connection of its own and runs its callback
 * when appends commit (waking the workers and, with cursor claims, asking for a fence sample).
 * Polling stays on as the fallback; a lost connection is re-opened with backoff.
 *
 * <p>The PostgreSQL driver (pgjdbc) is an optional dependency of this module: create this class
 * only after {@link OptionalClasses#pgjdbcVisible()} says its classes load. A connection that does
 * not unwrap to pgjdbc's {@code PGConnection} (another driver, a pool that hides it) ends the
 * listener; the relay keeps polling.
 */
final class NotifyListener implements Runnable {
  private static final Logger log = LoggerFactory.getLogger(NotifyListener.class);
  private final DataSource dataSource;
  private final String channel;
  private final Runnable onAppend;
  private final Duration backoffMax;
  private volatile boolean running = true;
  private volatile Connection connection;

  NotifyListener(DataSource dataSource, String channel, Runnable onAppend, Duration backoffMax) {
    this.dataSource = dataSource;
    this.channel = channel;
    this.onAppend = onAppend;
    this.backoffMax = backoffMax;
  }

  @Override
  public void run() {
    long delay = 100;
    while (running) {
      try (Connection c = dataSource.getConnection()) {
        connection = c;
        c.setAutoCommit(true);
        try (Statement st = c.createStatement()) {
          st.execute("LISTEN \"" + channel + "\"");
        }
        if (!c.isWrapperFor(PGConnection.class)) {
          log.info(
              "Outbox LISTEN off: the connection ({}) is not pgjdbc's; polling only",
              c.getClass().getName());
          return;
        }
        PGConnection pg = c.unwrap(PGConnection.class);
        delay = 100;
        onAppend.run(); // anything appended while not listening
        while (running) {
          PGNotification[] notes = pg.getNotifications(500);
          if (notes != null && notes.length > 0) {
            onAppend.run();
          }
        }
      } catch (SQLException e) {
        if (running) {
          log.debug(
              "Outbox LISTEN connection lost ({}); reconnecting, polling meanwhile",
              e.getMessage());
          try {
            Thread.sleep(delay);
          } catch (InterruptedException ie) {
            Thread.currentThread().interrupt();
            return;
          }
          delay = Math.min(delay * 2, backoffMax.toMillis());
        }
      } finally {
        connection = null;
      }
    }
  }

  void stop() {
    running = false;
  }
}
