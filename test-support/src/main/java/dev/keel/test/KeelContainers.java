package dev.keel.test;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Like {@link KeelTest}, but the broker and PostgreSQL run in Docker containers through
 * Testcontainers. Without a Docker engine every test of the class is skipped, and JUnit reports the
 * reason.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@ExtendWith(ContainersExtension.class)
public @interface KeelContainers {}
