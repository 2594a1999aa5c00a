package dev.keel.test.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.lang.reflect.Method;
import java.net.BindException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntSupplier;
import java.util.stream.Stream;
import org.apache.kafka.common.utils.internals.AppInfoParser;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EmbeddedKafkaBrokerIT {

  @Test
  void stopKeepsTheLogDirectoryAndCloseDeletesIt(@TempDir Path parent) throws IOException {
    EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(Map.of(), false, parent);
    Path logDir = broker.logDir();
    try {
      assertThat(logDir).isDirectory().startsWith(parent);
      broker.createTopic("kept", 1);
      broker.stop();
      assertThat(logDir).isDirectory(); // stop keeps the data for restart
    } finally {
      broker.close();
    }
    assertThat(logDir).doesNotExist();
    assertThat(children(parent)).isZero();
  }

  /**
   * Kafka's server halts its process on a fatal fault; inside the test JVM that would end every
   * test at once without a word. Once a broker class is loaded, exit and halt are refused with an
   * exception that says so, and the JVM (this test) goes on.
   */
  @Test
  void aFatalFaultInTheBrokerDoesNotEndTheTestJvm(@TempDir Path parent) throws Exception {
    EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(Map.of(), false, parent);
    try {
      // the broker's own Exit, in its class loader (the test's kafka-clients has another)
      Class<?> exit =
          KafkaServerLoader.get()
              .classLoader()
              .loadClass("org.apache.kafka.common.utils.internals.Exit");
      Method halt = exit.getMethod("halt", int.class, String.class);
      Method exitWith = exit.getMethod("exit", int.class);
      assertThatThrownBy(() -> halt.invoke(null, 1, "fatal fault"))
          .cause()
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("halt with status 1: fatal fault");
      assertThatThrownBy(() -> exitWith.invoke(null, 2))
          .cause()
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("exit with status 2");
      broker.createTopic("still-here", 1); // the broker, and this JVM, still run
    } finally {
      broker.close();
    }
  }

  /**
   * The broker's server jars and their kafka-clients live in a class loader of their own: the
   * test's class path has no server class, and the broker's client classes are not the test's, so
   * an application whose kafka-clients is older or newer than the broker's keeps its own.
   */
  @Test
  void theBrokerRunsInAClassLoaderOfItsOwn(@TempDir Path parent) throws Exception {
    EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(Map.of(), false, parent);
    try {
      ClassLoader testLoader = EmbeddedKafkaBrokerIT.class.getClassLoader();
      assertThatThrownBy(() -> Class.forName("kafka.server.KafkaRaftServer", false, testLoader))
          .isInstanceOf(ClassNotFoundException.class);
      assertThatThrownBy(() -> Class.forName("scala.Option", false, testLoader))
          .isInstanceOf(ClassNotFoundException.class);
      ClassLoader server = KafkaServerLoader.get().classLoader();
      assertThat(Class.forName("kafka.server.KafkaRaftServer", false, server)).isNotNull();
      Class<?> serverAppInfo =
          Class.forName("org.apache.kafka.common.utils.internals.AppInfoParser", false, server);
      assertThat(serverAppInfo).isNotSameAs(AppInfoParser.class);
      assertThat(serverAppInfo.getClassLoader()).isSameAs(server);
      // nothing of keel-test or of the test's libraries is visible to the broker
      assertThatThrownBy(() -> Class.forName("dev.keel.test.KafkaBroker", false, server))
          .isInstanceOf(ClassNotFoundException.class);
      assertThat(
              Class.forName("com.fasterxml.jackson.databind.ObjectMapper", false, server)
                  .getClassLoader())
          .isSameAs(server);
      // the broker logs through the test's SLF4J
      assertThat(Class.forName("org.slf4j.LoggerFactory", false, server))
          .isSameAs(org.slf4j.LoggerFactory.class);
      assertThat(KafkaServerLoader.get().version()).isEqualTo("4.4.0");
      assertThat(broker.describe()).contains("Kafka 4.4.0 broker");
    } finally {
      broker.close();
    }
  }

  @Test
  void failedStartLeavesNoLogDirectoryNorForwarder(@TempDir Path parent) throws IOException {
    // An invalid broker property fails the launch after the forwarder has started.
    assertThatThrownBy(() -> EmbeddedKafkaBroker.start(Map.of("num.io.threads", "0"), true, parent))
        .hasMessageContaining("num.io.threads");
    assertThat(children(parent)).isZero();
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                Thread.getAllStackTraces().keySet().stream()
                    .noneMatch(t -> t.getName().startsWith("keel-kafka-forwarder-")));
  }

  @Test
  void aPortTakenBeforeTheBrokerBindsItIsReplacedByAnother(@TempDir Path parent)
      throws IOException {
    // FreePorts.find() closes its probe socket before the broker binds: another process can take
    // the port in between. This one is held for the whole start, so the first attempt must fail.
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      AtomicInteger handedOut = new AtomicInteger();
      IntSupplier ports =
          () -> handedOut.getAndIncrement() == 0 ? taken.getLocalPort() : FreePorts.find();
      EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.start(Map.of(), false, parent, ports);
      try {
        assertThat(handedOut.get()).isGreaterThanOrEqualTo(4); // two ports per attempt
        assertThat(broker.bootstrapServers()).doesNotEndWith(":" + taken.getLocalPort());
        broker.createTopic("after-retry", 1);
      } finally {
        broker.close();
      }
    }
    assertThat(children(parent)).isZero(); // the failed attempt left nothing behind
  }

  @Test
  void onlyBindFailuresAreRetried() {
    assertThat(
            EmbeddedKafkaBroker.causedByBind(
                new IllegalStateException("x", new BindException("Address already in use"))))
        .isTrue();
    assertThat(EmbeddedKafkaBroker.causedByBind(new IllegalStateException("num.io.threads")))
        .isFalse();
  }

  @Test
  void timeSettingsFollowTheTestClockOffset() {
    assertThat(EmbeddedKafkaBroker.timeSettings(Duration.ZERO))
        .containsEntry("log.message.timestamp.after.max.ms", "3600000")
        .containsEntry("log.retention.check.interval.ms", "86400000")
        .containsEntry("log.initial.task.delay.ms", "86400000");
    assertThat(EmbeddedKafkaBroker.timeSettings(Duration.ofDays(365)))
        .containsEntry(
            "log.message.timestamp.after.max.ms",
            String.valueOf(Duration.ofDays(365).plusHours(1).toMillis()));
    assertThat(EmbeddedKafkaBroker.timeSettings(Duration.ofDays(-365)))
        .containsEntry("log.message.timestamp.after.max.ms", "3600000");
  }

  private static long children(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.count();
    }
  }
}
