package dev.keel.test;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Runs a test class with a real Kafka broker and a real database, shared by every test of the run.
 *
 * <p>Test methods, constructors and lifecycle methods may declare parameters of these types:
 *
 * <ul>
 *   <li>{@link KafkaBroker}: the shared broker (embedded KRaft, or {@code KEEL_KAFKA_BOOTSTRAP});
 *   <li>{@link Topics}: creates topics with names unique to the test;
 *   <li>{@link IsolatedDatabase}: a schema of its own on the shared PostgreSQL (embedded, or {@code
 *       KEEL_JDBC_URL}), dropped after the test; annotate the parameter with {@link WithDatabase}
 *       for MariaDB (skipped, with the reason, when {@code KEEL_MARIADB_URL} is not set) or H2;
 *   <li>{@link Database}: the shared PostgreSQL server itself.
 * </ul>
 *
 * <pre>{@code
 * @KeelTest
 * class OrderTest {
 *   @Test
 *   void publishes(KafkaBroker kafka, Topics topics, IsolatedDatabase db) { ... }
 * }
 * }</pre>
 *
 * The backends in use are logged once per run.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@ExtendWith(KeelExtension.class)
public @interface KeelTest {}
