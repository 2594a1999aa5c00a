package dev.keel.test.internal;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.keel.test.DatabaseKind;
import dev.keel.test.IsolatedDatabase;
import java.util.function.Consumer;
import javax.sql.DataSource;

/** An isolated schema or database with a lazily created HikariCP pool. */
final class PooledIsolatedDatabase implements IsolatedDatabase {
  private final DatabaseKind kind;
  private final String name;
  private final String url;
  private final String user;
  private final String password;
  private final Consumer<PooledIsolatedDatabase> dropper;
  private HikariDataSource pool;
  private boolean closed;

  PooledIsolatedDatabase(
      DatabaseKind kind,
      String name,
      String url,
      String user,
      String password,
      Consumer<PooledIsolatedDatabase> dropper) {
    this.kind = kind;
    this.name = name;
    this.url = url;
    this.user = user;
    this.password = password;
    this.dropper = dropper;
  }

  @Override
  public DatabaseKind kind() {
    return kind;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public String jdbcUrl() {
    return url;
  }

  @Override
  public String user() {
    return user;
  }

  @Override
  public String password() {
    return password;
  }

  @Override
  public synchronized DataSource dataSource() {
    if (closed) {
      throw new IllegalStateException("Isolated database " + name + " is closed");
    }
    if (pool == null) {
      HikariConfig config = new HikariConfig();
      config.setJdbcUrl(url);
      config.setUsername(user);
      config.setPassword(password);
      config.setMaximumPoolSize(16);
      config.setMinimumIdle(0);
      // A test waits seconds, not Hikari's default 30 s, to learn that its database is down.
      config.setConnectionTimeout(5_000);
      config.setPoolName("keel-test-" + name);
      pool = new HikariDataSource(config);
    }
    return pool;
  }

  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    if (pool != null) {
      pool.close();
    }
    dropper.accept(this);
  }

  @Override
  public String toString() {
    return kind + " " + name;
  }
}
