package dev.keel.outbox.internal;

/**
 * Whether a class of an optional dependency (HikariCP, the PostgreSQL driver) can be loaded. The
 * classes that use such a dependency are touched only after this says yes.
 */
final class OptionalClasses {
  /** pgjdbc's connection interface, the one type of the driver {@link NotifyListener} needs. */
  static final String PG_CONNECTION = "org.postgresql.PGConnection";

  private OptionalClasses() {}

  /** Whether pgjdbc's classes load through this module's class loader. */
  static boolean pgjdbcVisible() {
    return visible(PG_CONNECTION, OptionalClasses.class.getClassLoader());
  }

  /** Whether {@code className} loads through {@code loader}, without initializing it. */
  static boolean visible(String className, ClassLoader loader) {
    try {
      Class.forName(className, false, loader);
      return true;
    } catch (ClassNotFoundException | LinkageError e) {
      return false;
    }
  }
}
