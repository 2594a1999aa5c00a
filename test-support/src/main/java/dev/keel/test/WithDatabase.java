package dev.keel.test;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Chooses the engine behind an {@link IsolatedDatabase} parameter of a {@link KeelTest}. A MariaDB
 * parameter without {@code KEEL_MARIADB_URL} aborts the test, which JUnit reports as skipped with
 * the reason.
 */
@Target(ElementType.PARAMETER)
@Retention(RetentionPolicy.RUNTIME)
@Documented
public @interface WithDatabase {
  /** The engine. */
  DatabaseKind value();
}
