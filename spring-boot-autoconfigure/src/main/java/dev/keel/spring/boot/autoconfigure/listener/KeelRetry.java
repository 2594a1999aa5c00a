package dev.keel.spring.boot.autoconfigure.listener;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The in-place retry of a {@link dev.keel.consumer.KeelListener} method run by Keel's Spring Boot
 * starter: attempts and backoff before a failed record goes to the retry tiers or the dead letters
 * ({@link dev.keel.retry.RetryPolicy}). Unset attributes keep {@link
 * dev.keel.retry.RetryPolicy#defaults()}. {@code keel.listeners.<id>.retry.*} overrides them.
 *
 * <p>The retry policy belongs to a consumer group: listeners of one group must agree on it, or the
 * start fails naming both.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface KeelRetry {
  /** Attempts in place, the first included; 0 (unset) keeps the default (3). */
  int maxAttempts() default 0;

  /** Delay before the second attempt, such as {@code 200ms} or {@code PT1S}; empty: the default. */
  String initialDelay() default "";

  /** Largest delay between attempts, such as {@code 10s}; empty: the default. */
  String maxDelay() default "";

  /** Backoff multiplier, at least 1; 0 (unset) keeps the default (2). */
  double multiplier() default 0;
}
