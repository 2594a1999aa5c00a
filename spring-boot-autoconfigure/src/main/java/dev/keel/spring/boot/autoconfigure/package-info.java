/**
 * Spring Boot auto-configuration of Keel: {@link dev.keel.spring.boot.autoconfigure.KeelProperties}
 * ({@code keel.*}) and the auto-configurations listed in {@code
 * META-INF/spring/org.springframework.boot.autoconfigure.AutoConfiguration.imports}. Every part is
 * optional: it is configured only when its Keel module is on the class path and its {@code
 * keel.<part>.enabled} switch is not {@code false}.
 */
package dev.keel.spring.boot.autoconfigure;
