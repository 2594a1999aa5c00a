/**
 * Keel in Spring Boot's Actuator: the {@code keel} health contributor and the {@code keel}
 * endpoint, with operations that change state only when {@code
 * keel.actuator.operations.enabled=true}.
 */
package dev.keel.spring.boot.autoconfigure.actuate;
