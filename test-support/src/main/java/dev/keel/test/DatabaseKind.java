package dev.keel.test;

/** The database engines Keel's tests run against. */
public enum DatabaseKind {
  /** PostgreSQL: embedded binaries, {@code KEEL_JDBC_URL}, or a container. */
  POSTGRES,
  /** MariaDB or MySQL: {@code KEEL_MARIADB_URL} only. */
  MARIADB,
  /** H2 in memory: fast SQL-layer unit tests only, never proof of a guarantee. */
  H2
}
