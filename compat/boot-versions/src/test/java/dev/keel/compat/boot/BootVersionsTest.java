package dev.keel.compat.boot;

import static dev.keel.compat.boot.Versions.expected;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariDataSource;
import io.micrometer.core.instrument.MeterRegistry;
import org.jooq.DSLContext;
import org.junit.jupiter.api.Test;

/**
 * This module's class path has Spring Boot 4.0.7's versions, not Keel's: without this check the
 * other tests could pass on Keel's own versions (a BOM import order changed, a property overridden)
 * and prove nothing.
 */
class BootVersionsTest {

  @Test
  void kafkaClientsIsBoots() throws Exception {
    assertThat(Versions.kafkaClients()).isEqualTo(expected("boot.kafka-clients"));
    // and not the embedded broker's, so the tests below do meet two versions
    assertThat(Versions.kafkaClients()).isNotEqualTo(expected("keel.broker.kafka"));
  }

  @Test
  void micrometerJacksonHikariJooqAreBoots() throws Exception {
    assertThat(Versions.ofJar(MeterRegistry.class)).isEqualTo(expected("boot.micrometer"));
    assertThat(com.fasterxml.jackson.databind.cfg.PackageVersion.VERSION.toString())
        .isEqualTo(expected("boot.jackson"));
    assertThat(com.fasterxml.jackson.core.json.PackageVersion.VERSION.toString())
        .isEqualTo(expected("boot.jackson"));
    assertThat(Versions.ofJar(HikariDataSource.class)).isEqualTo(expected("boot.hikaricp"));
    assertThat(Versions.ofJar(DSLContext.class)).isEqualTo(expected("boot.jooq"));
  }

  @Test
  void junitAndSlf4jAreBoots() throws Exception {
    assertThat(Versions.ofJar(Test.class)).isEqualTo(expected("boot.junit"));
    assertThat(Versions.ofJar(org.slf4j.Logger.class)).isEqualTo(expected("boot.slf4j"));
  }

  /**
   * keel-test's broker brings no server jar, Scala or second kafka-clients onto the application's
   * test class path (they are nested in keel-test-kafka-server and loaded apart).
   */
  @Test
  void theBrokersServerJarsAreNotOnTheClassPath() {
    ClassLoader app = BootVersionsTest.class.getClassLoader();
    assertThatThrownBy(() -> Class.forName("kafka.server.KafkaRaftServer", false, app))
        .isInstanceOf(ClassNotFoundException.class);
    assertThatThrownBy(() -> Class.forName("scala.Option", false, app))
        .isInstanceOf(ClassNotFoundException.class);
    assertThatThrownBy(
            () -> Class.forName("org.apache.kafka.metadata.storage.Formatter", false, app))
        .isInstanceOf(ClassNotFoundException.class);
  }
}
