package dev.keel.test.internal;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Properties;

/**
 * Turns the embedded servers' own INFO chatter down to WARN: the in-JVM Kafka broker logs hundreds
 * of INFO lines per start, the embedded PostgreSQL and the test pools a few per database. Sets, for
 * SLF4J's simple binding ({@code slf4j-simple}), the level of the {@code kafka}, {@code
 * org.apache.kafka}, {@code state.change.logger}, {@code io.zonky} and {@code com.zaxxer.hikari}
 * loggers to {@code warn} through the system properties that binding reads when it creates a
 * logger, unless the level is set already, as a system property or in a {@code
 * simplelogger.properties} on the class path (so {@code
 * -Dorg.slf4j.simpleLogger.log.org.apache.kafka=info} still wins). Keel's own loggers ({@code
 * dev.keel}) are left alone; warnings and errors of the servers are still printed. Other bindings
 * (Logback, Log4j 2) ignore these properties: configure the same logger names there.
 */
public final class QuietServerLogging {
  /** The loggers turned down, by name prefix. */
  public static final List<String> LOGGERS =
      List.of("kafka", "org.apache.kafka", "state.change.logger", "io.zonky", "com.zaxxer.hikari");

  static final String PREFIX = "org.slf4j.simpleLogger.log.";

  private QuietServerLogging() {}

  /** Applies the defaults to the JVM's system properties; idempotent. */
  public static void apply() {
    apply(System.getProperties(), classPathConfiguration());
  }

  /**
   * Applies the defaults to {@code properties}, keeping every level already set there or in {@code
   * configured} (the binding's own file) (tests).
   */
  static void apply(Properties properties, Properties configured) {
    for (String logger : LOGGERS) {
      String key = PREFIX + logger;
      if (!configured.containsKey(key)) {
        properties.putIfAbsent(key, "warn");
      }
    }
  }

  /** The {@code simplelogger.properties} slf4j-simple reads, empty when there is none. */
  private static Properties classPathConfiguration() {
    Properties p = new Properties();
    ClassLoader loader = Thread.currentThread().getContextClassLoader();
    if (loader == null) {
      loader = QuietServerLogging.class.getClassLoader();
    }
    try (InputStream in = loader.getResourceAsStream("simplelogger.properties")) {
      if (in != null) {
        p.load(in);
      }
    } catch (IOException e) {
      // unreadable: the binding cannot read it either, and the defaults apply
    }
    return p;
  }
}
