package dev.keel.outbox.internal;

import dev.keel.event.KeelConfigurationException;
import dev.keel.event.support.Secrets;
import java.util.Arrays;
import javax.sql.DataSource;

/**
 * The HikariCP pool the relay creates for {@code OutboxRelay.Builder.jdbcUrl(...)} and closes with
 * itself. HikariCP is an optional dependency: only this path needs it, and its classes load only
 * when it is taken.
 */
final class OwnedPool implements AutoCloseable {
  static final String HIKARI_CLASS = "com.zaxxer.hikari.HikariDataSource";

  private final AutoCloseable pool;
  private final DataSource dataSource;

  private OwnedPool(AutoCloseable pool, DataSource dataSource) {
    this.pool = pool;
    this.dataSource = dataSource;
  }

  /**
   * Opens the pool.
   *
   * @throws KeelConfigurationException when HikariCP is not on the class path
   */
  static OwnedPool create(RelayConfig config, String owner) {
    if (!OptionalClasses.visible(HIKARI_CLASS, OwnedPool.class.getClassLoader())) {
      throw new KeelConfigurationException(
          "OutboxRelay.jdbcUrl needs HikariCP on the class path (com.zaxxer:HikariCP);"
              + " add it, or pass OutboxRelay.Builder.dataSource(...) instead");
    }
    return Hikari.create(config, owner);
  }

  DataSource dataSource() {
    return dataSource;
  }

  @Override
  public void close() {
    try {
      pool.close();
    } catch (Exception e) {
      throw new IllegalStateException("cannot close the relay's pool", e);
    }
  }

  /** Kept apart so that HikariCP's classes load only when a pool is created. */
  private static final class Hikari {
    static OwnedPool create(RelayConfig config, String owner) {
      com.zaxxer.hikari.HikariConfig hc = new com.zaxxer.hikari.HikariConfig();
      hc.setJdbcUrl(config.jdbcUrl());
      hc.setUsername(config.jdbcUser());
      hc.setPassword(config.jdbcPassword());
      hc.setMaximumPoolSize(config.workers() + 3);
      hc.setPoolName("keel-relay-" + owner);
      try {
        com.zaxxer.hikari.HikariDataSource ds = new com.zaxxer.hikari.HikariDataSource(hc);
        return new OwnedPool(ds, ds);
      } catch (RuntimeException e) {
        // HikariCP and the drivers repeat the URL, password parameters included
        throw Secrets.redacted(e, Arrays.asList(config.jdbcPassword()));
      }
    }
  }
}
