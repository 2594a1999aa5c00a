package dev.keel.test;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Chooses the engine behind an {@link IsolatedDatabase} parameter of a {@link KeelTest}. A test
 * with a MariaDB parameter is disabled when {@code KEEL_MARIADB_URL} is not set: JUnit reports it
 * as skipped with the reason, and a WARN line is logged.
 */
@Target(ElementType.PARAMETER)
@Retention(RetentionPolicy.RUNTIME)
@Documented
public @interface WithDatabase {
  /** The engine. */
  DatabaseKind value();
}
