package dev.keel.test.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Properties;
import org.junit.jupiter.api.Test;

class QuietServerLoggingTest {
  @Test
  void turnsTheServersLoggersDownToWarnAndLeavesKeelAlone() {
    Properties p = new Properties();
    QuietServerLogging.apply(p, new Properties());
    assertThat(p.getProperty("org.slf4j.simpleLogger.log.kafka")).isEqualTo("warn");
    assertThat(p.getProperty("org.slf4j.simpleLogger.log.org.apache.kafka")).isEqualTo("warn");
    assertThat(p.getProperty("org.slf4j.simpleLogger.log.state.change.logger")).isEqualTo("warn");
    assertThat(p.getProperty("org.slf4j.simpleLogger.log.io.zonky")).isEqualTo("warn");
    assertThat(p.stringPropertyNames()).noneMatch(n -> n.contains("dev.keel"));
    assertThat(p.getProperty("org.slf4j.simpleLogger.defaultLogLevel")).isNull();
  }

  @Test
  void keepsALevelTheUserSet() {
    Properties p = new Properties();
    p.setProperty("org.slf4j.simpleLogger.log.org.apache.kafka", "info");
    QuietServerLogging.apply(p, new Properties());
    QuietServerLogging.apply(p, new Properties());
    assertThat(p.getProperty("org.slf4j.simpleLogger.log.org.apache.kafka")).isEqualTo("info");
    assertThat(p.getProperty("org.slf4j.simpleLogger.log.kafka")).isEqualTo("warn");
  }

  @Test
  void keepsALevelTheBindingsOwnFileSets() {
    Properties system = new Properties();
    Properties file = new Properties();
    file.setProperty("org.slf4j.simpleLogger.log.kafka", "info");
    QuietServerLogging.apply(system, file);
    assertThat(system.getProperty("org.slf4j.simpleLogger.log.kafka")).isNull(); // the file's
    assertThat(system.getProperty("org.slf4j.simpleLogger.log.io.zonky")).isEqualTo("warn");
  }
}
