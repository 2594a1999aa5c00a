package dev.keel.test;

import javax.sql.DataSource;

/**
 * One test's own schema (PostgreSQL) or database (MariaDB, H2), with a pooled {@link DataSource}
 * whose connections land in it.
 *
 * <p>Thread safety: safe to share between threads. Closing drops the schema and closes the pool.
 */
public interface IsolatedDatabase extends AutoCloseable {

  /** The engine. */
  DatabaseKind kind();

  /** The schema (PostgreSQL) or database name (MariaDB, H2). */
  String name();

  /** A JDBC URL whose connections use this schema or database by default. */
  String jdbcUrl();

  /** The user name for {@link #jdbcUrl()}. */
  String user();

  /** The password for {@link #jdbcUrl()}; may be empty. */
  String password();

  /** A pooled data source on this schema (at most 16 connections). */
  DataSource dataSource();

  /** Drops the schema or database and closes the pool. */
  @Override
  void close();
}
