/**
 * Dead-letter operations in a Spring Boot application: {@link dev.keel.dlq.DeadLetters} as a bean.
 */
package dev.keel.spring.boot.autoconfigure.dlq;
