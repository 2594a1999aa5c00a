package dev.keel.consumer.internal;

import dev.keel.event.KeelConfigurationException;
import dev.keel.event.support.Secrets;
import javax.sql.DataSource;

/** The HikariCP pool the runtime creates for {@code jdbcUrl(...)} and closes with itself. */
final class OwnedPool implements AutoCloseable {
  private final AutoCloseable pool;
  private final DataSource dataSource;

  private OwnedPool(AutoCloseable pool, DataSource dataSource) {
    this.pool = pool;
    this.dataSource = dataSource;
  }

  static OwnedPool create(RuntimeConfig config, int workers) {
    try {
      Class.forName("com.zaxxer.hikari.HikariDataSource");
    } catch (ClassNotFoundException e) {
      throw new KeelConfigurationException(
          "ConsumerRuntime.jdbcUrl needs HikariCP on the classpath (com.zaxxer:HikariCP);"
              + " or pass a dataSource");
    }
    return Hikari.create(config, workers);
  }

  DataSource dataSource() {
    return dataSource;
  }

  @Override
  public void close() throws Exception {
    pool.close();
  }

  /** Kept apart so that HikariCP classes load only when it is used. */
  private static final class Hikari {
    static OwnedPool create(RuntimeConfig config, int workers) {
      com.zaxxer.hikari.HikariConfig hc = new com.zaxxer.hikari.HikariConfig();
      hc.setJdbcUrl(config.jdbcUrl());
      hc.setUsername(config.jdbcUser());
      hc.setPassword(config.jdbcPassword());
      hc.setMaximumPoolSize(Math.max(2, workers + 2));
      hc.setPoolName("keel-consumer");
      try {
        com.zaxxer.hikari.HikariDataSource ds = new com.zaxxer.hikari.HikariDataSource(hc);
        return new OwnedPool(ds, ds);
      } catch (RuntimeException e) {
        // HikariCP and the drivers repeat the URL, password parameters included
        throw Secrets.redacted(e, java.util.Arrays.asList(config.jdbcPassword()));
      }
    }
  }
}
