package dev.keel.test.internal.kafkaserver;

import java.io.OutputStream;
import java.io.PrintStream;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.common.utils.internals.AppInfoParser;
import org.apache.kafka.common.utils.internals.Exit;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.Feature;
import org.apache.kafka.server.common.MetadataVersion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The only class that touches Kafka's server classes. It runs inside keel-test's broker class
 * loader, next to the server jars and their own kafka-clients, and is called from keel-test by
 * reflection with JDK types only ({@link Map}, {@link String}, {@link AutoCloseable}), so that no
 * Kafka type crosses between that loader and the test's class path.
 */
public final class KafkaServerRuntime {
  private static final Logger log = LoggerFactory.getLogger(KafkaServerRuntime.class);

  static {
    // The broker runs inside the test JVM: a fatal fault in it (Kafka halts or exits its process
    // then) must fail the tests with a message, not end the JVM without a word. These are the
    // server's own Exit procedures, in this loader's kafka-clients.
    Exit.setExitProcedure((code, message) -> refuseExit("exit", code, message));
    Exit.setHaltProcedure((code, message) -> refuseExit("halt", code, message));
  }

  private KafkaServerRuntime() {}

  private static void refuseExit(String how, int code, String message) {
    IllegalStateException e =
        new IllegalStateException(
            "The embedded Kafka broker asked the JVM to "
                + how
                + " with status "
                + code
                + (message == null ? "" : ": " + message)
                + "; refused, so that the test JVM survives and the fault is reported");
    log.error("{}", e.getMessage(), e);
    throw e;
  }

  /**
   * The version of the server jars.
   *
   * @return for example {@code 4.4.0}
   */
  public static String version() {
    return AppInfoParser.getVersion();
  }

  /**
   * Formats a fresh log directory for a single KRaft node.
   *
   * @param dir the log directory (also the metadata log directory)
   * @param nodeId the node's {@code node.id}
   */
  public static void format(String dir, int nodeId) {
    try (PrintStream quiet = new PrintStream(OutputStream.nullOutputStream())) {
      new Formatter()
          .setPrintStream(quiet)
          .setNodeId(nodeId)
          .setClusterId(Uuid.randomUuid().toString())
          .setDirectories(List.of(dir))
          .setMetadataLogDirectory(dir)
          .setControllerListenerName("CONTROLLER")
          .setReleaseVersion(MetadataVersion.LATEST_PRODUCTION)
          .setSupportedFeatures(Feature.PRODUCTION_FEATURES)
          .setUnstableFeatureVersionsEnabled(false)
          .run();
    } catch (Exception e) {
      throw new IllegalStateException(
          "Could not format the embedded Kafka log directory " + dir + ": " + e, e);
    }
  }

  /**
   * Starts a KRaft server with these properties.
   *
   * @param config broker properties
   * @return stops the server and waits until it has stopped when closed
   */
  public static AutoCloseable launch(Map<String, String> config) {
    Properties props = new Properties();
    props.putAll(config);
    KafkaRaftServer s = new KafkaRaftServer(KafkaConfig.fromProps(props, false), Time.SYSTEM);
    try {
      s.startup();
    } catch (RuntimeException | Error e) {
      // A server that failed half-way may hold ports and threads: shut down what started.
      try {
        s.shutdown();
        s.awaitShutdown();
      } catch (RuntimeException | Error shutdown) {
        e.addSuppressed(shutdown);
      }
      throw e;
    }
    return () -> {
      s.shutdown();
      s.awaitShutdown();
    };
  }
}
