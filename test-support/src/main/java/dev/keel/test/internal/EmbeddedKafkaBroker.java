package dev.keel.test.internal;

import dev.keel.test.KafkaBroker;
import dev.keel.test.TestTime;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.function.IntSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An Apache Kafka broker in KRaft combined mode, run inside this JVM, from Kafka's server jars
 * loaded apart from the test's class path ({@link KafkaServerLoader}): the application's
 * kafka-clients, whatever its version, serves the test's clients and this class's admin calls; the
 * broker runs on the kafka-clients its server jars were built with.
 */
public final class EmbeddedKafkaBroker implements KafkaBroker {
  private static final Logger log = LoggerFactory.getLogger(EmbeddedKafkaBroker.class);

  static {
    // before any of Kafka's loggers exists: the broker's INFO lines (hundreds per start) go
    QuietServerLogging.apply();
  }

  private static final int BIND_ATTEMPTS = 5;

  private final Path logDir;
  private final Map<String, String> config;
  private final int port;
  private final PausableForwarder forwarder;
  private final TopicAdmin admin;
  private AutoCloseable server;

  private EmbeddedKafkaBroker(
      Path logDir, Map<String, String> config, int port, PausableForwarder forwarder) {
    this.logDir = logDir;
    this.config = config;
    this.port = port;
    this.forwarder = forwarder;
    // the test's own admin calls go to the broker directly, so that they work while paused
    this.admin = new TopicAdmin("127.0.0.1:" + port);
  }

  /**
   * Formats a fresh log directory and starts a broker on free loopback ports.
   *
   * @param overrides broker properties that replace the defaults
   * @return the running broker
   */
  public static EmbeddedKafkaBroker start(Map<String, String> overrides) {
    return start(overrides, false);
  }

  /**
   * Formats a fresh log directory and starts a broker on free loopback ports; when {@code
   * pausable}, clients reach it through a {@link PausableForwarder} (see {@link #pause()}).
   *
   * <p>A pausable broker has a second listener, {@code CLIENT}, whose advertised address is the
   * forwarder's port: clients bootstrap through the forwarder and are told to stay on it. The
   * inter-broker listener ({@code PLAINTEXT}, used by the broker to reach itself, for example for
   * transaction markers) and the controller listener stay direct.
   *
   * @param overrides broker properties that replace the defaults
   * @param pausable whether clients go through a forwarder that {@link #pause()} can hold
   * @return the running broker
   */
  public static EmbeddedKafkaBroker start(Map<String, String> overrides, boolean pausable) {
    return start(overrides, pausable, null);
  }

  /** As {@link #start(Map, boolean)}, with the log directory under {@code parent} (tests). */
  static EmbeddedKafkaBroker start(Map<String, String> overrides, boolean pausable, Path parent) {
    return start(overrides, pausable, parent, FreePorts::find);
  }

  /**
   * As {@link #start(Map, boolean, Path)}, taking ports from {@code ports} (tests). A port found
   * free can be taken by another process before the broker binds it: a start that fails to bind is
   * cleaned up and tried again on new ports, up to {@value #BIND_ATTEMPTS} times.
   */
  static EmbeddedKafkaBroker start(
      Map<String, String> overrides, boolean pausable, Path parent, IntSupplier ports) {
    for (int attempt = 1; ; attempt++) {
      try {
        return startOnce(overrides, pausable, parent, ports);
      } catch (RuntimeException | Error e) {
        if (attempt >= BIND_ATTEMPTS || !causedByBind(e)) {
          throw e;
        }
        log.warn(
            "Embedded Kafka broker could not bind its port (attempt {} of {}): {}; trying new ports",
            attempt,
            BIND_ATTEMPTS,
            e.toString());
      }
    }
  }

  static boolean causedByBind(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof BindException) {
        return true;
      }
    }
    return false;
  }

  private static EmbeddedKafkaBroker startOnce(
      Map<String, String> overrides, boolean pausable, Path parent, IntSupplier ports) {
    long started = System.nanoTime();
    Path dir = null;
    PausableForwarder forwarder = null;
    EmbeddedKafkaBroker broker = null;
    try {
      dir =
          parent == null
              ? Files.createTempDirectory("keel-kafka-")
              : Files.createTempDirectory(parent, "keel-kafka-");
      int port = ports.getAsInt();
      int controllerPort = ports.getAsInt();
      Map<String, String> config = defaults(dir, port, controllerPort);
      if (pausable) {
        int clientPort = ports.getAsInt();
        forwarder = new PausableForwarder(clientPort); // binds its port before the broker starts
        config.put(
            "listeners",
            "PLAINTEXT://127.0.0.1:"
                + port
                + ",CLIENT://127.0.0.1:"
                + clientPort
                + ",CONTROLLER://127.0.0.1:"
                + controllerPort);
        config.put(
            "advertised.listeners",
            "PLAINTEXT://127.0.0.1:" + port + ",CLIENT://127.0.0.1:" + forwarder.port());
        config.put(
            "listener.security.protocol.map",
            "PLAINTEXT:PLAINTEXT,CLIENT:PLAINTEXT,CONTROLLER:PLAINTEXT");
      }
      config.putAll(overrides);
      format(dir, config);
      broker = new EmbeddedKafkaBroker(dir, Map.copyOf(config), port, forwarder);
      if (forwarder != null) {
        forwarder.start();
      }
      broker.launch();
      broker.admin.awaitReady();
      log.info(
          "Embedded Kafka broker (KRaft) ready at {} in {} ms, log dir {}",
          broker.bootstrapServers(),
          (System.nanoTime() - started) / 1_000_000,
          dir);
      return broker;
    } catch (IOException e) {
      UncheckedIOException failure =
          new UncheckedIOException("Could not prepare the embedded Kafka broker", e);
      cleanUpFailedStart(broker, forwarder, dir, failure);
      throw failure;
    } catch (RuntimeException | Error e) {
      // Whatever failed (formatting, launch, the readiness wait), nothing of the half-started
      // broker may outlive this call: not its server, its forwarder or its log directory.
      cleanUpFailedStart(broker, forwarder, dir, e);
      throw e;
    }
  }

  private static void cleanUpFailedStart(
      EmbeddedKafkaBroker broker, PausableForwarder forwarder, Path dir, Throwable failure) {
    try {
      if (broker != null) {
        broker.close(); // closes the admin, the server if launched, the forwarder, the log dir
        return;
      }
      if (forwarder != null) {
        forwarder.close();
      }
      if (dir != null) {
        Directories.deleteRecursively(dir);
      }
    } catch (RuntimeException | Error cleanup) {
      failure.addSuppressed(cleanup);
    }
  }

  private static Map<String, String> defaults(Path dir, int port, int controllerPort) {
    Map<String, String> c = new HashMap<>();
    c.put("process.roles", "broker,controller");
    c.put("node.id", "1");
    c.put("controller.quorum.voters", "1@127.0.0.1:" + controllerPort);
    c.put(
        "listeners", "PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort);
    c.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + port);
    c.put("controller.listener.names", "CONTROLLER");
    c.put("inter.broker.listener.name", "PLAINTEXT");
    c.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
    c.put("log.dirs", dir.toString());
    c.put("num.partitions", "1");
    c.put("auto.create.topics.enable", "false");
    c.put("offsets.topic.replication.factor", "1");
    c.put("offsets.topic.num.partitions", "4");
    c.put("transaction.state.log.replication.factor", "1");
    c.put("transaction.state.log.min.isr", "1");
    c.put("transaction.state.log.num.partitions", "4");
    c.put("min.insync.replicas", "1");
    c.put("share.coordinator.state.topic.replication.factor", "1");
    c.put("share.coordinator.state.topic.min.isr", "1");
    c.put("group.initial.rebalance.delay.ms", "0");
    c.put("log.flush.interval.messages", String.valueOf(Long.MAX_VALUE));
    c.put("num.network.threads", "2");
    c.put("num.io.threads", "4");
    timeSettings(TestTime.offset()).forEach(c::put);
    return c;
  }

  /**
   * Settings that keep a test's outcome independent of the distance between its clock and the wall
   * clock: the retention check never runs during a test run (records stamped with a test clock
   * behind the wall clock are not deleted), and timestamps are accepted up to the {@link TestTime}
   * offset ahead of the wall clock, beyond Kafka's usual hour. Topic configurations keep their
   * defaults ({@code retention.ms} stays 7 days), so what tests read of them is unchanged.
   */
  static Map<String, String> timeSettings(Duration clockOffset) {
    long day = Duration.ofDays(1).toMillis();
    long ahead =
        Duration.ofHours(1).plus(clockOffset.isNegative() ? Duration.ZERO : clockOffset).toMillis();
    return Map.of(
        "log.initial.task.delay.ms", String.valueOf(day),
        "log.retention.check.interval.ms", String.valueOf(day),
        "log.message.timestamp.after.max.ms", String.valueOf(ahead));
  }

  private static void format(Path dir, Map<String, String> config) {
    KafkaServerLoader.get().format(dir, Integer.parseInt(config.get("node.id")));
  }

  private synchronized void launch() {
    server = KafkaServerLoader.get().launch(config);
  }

  @Override
  public String bootstrapServers() {
    return "127.0.0.1:" + (forwarder == null ? port : forwarder.port());
  }

  @Override
  public String describe() {
    return "embedded Kafka "
        + KafkaServerLoader.get().version()
        + " broker (KRaft, in this JVM, in a class loader of its own) at "
        + bootstrapServers()
        + (forwarder == null ? "" : " (pausable, forwarding to port " + port + ")");
  }

  @Override
  public void createTopic(String name, int partitions) {
    admin.createTopic(name, partitions);
  }

  @Override
  public boolean supportsRestart() {
    return true;
  }

  @Override
  public synchronized void stop() {
    if (server != null) {
      try {
        server.close();
      } catch (RuntimeException | Error e) {
        throw e;
      } catch (Exception e) {
        throw new IllegalStateException("Could not stop the embedded Kafka broker", e);
      } finally {
        server = null;
      }
      log.info("Embedded Kafka broker at {} stopped (data kept)", bootstrapServers());
    }
  }

  @Override
  public synchronized void restart() {
    if (server == null) {
      launch();
      admin.awaitReady();
      log.info("Embedded Kafka broker at {} started again", bootstrapServers());
    }
  }

  @Override
  public boolean supportsPause() {
    return forwarder != null;
  }

  @Override
  public void pause() {
    requirePausable();
    forwarder.pause();
    log.info("Embedded Kafka broker at {} paused (clients get no answer)", bootstrapServers());
  }

  @Override
  public void resume() {
    requirePausable();
    forwarder.resume();
    log.info("Embedded Kafka broker at {} resumed", bootstrapServers());
  }

  private void requirePausable() {
    if (forwarder == null) {
      throw new UnsupportedOperationException(
          "This broker was not started pausable: use KafkaBroker.startEmbeddedPausable");
    }
  }

  /** The broker's log directory (deleted by {@link #close()}). */
  public Path logDir() {
    return logDir;
  }

  @Override
  public synchronized void close() {
    // Each step runs even when an earlier one fails, so that nothing is left behind.
    try {
      admin.close();
    } finally {
      try {
        stop();
      } finally {
        try {
          if (forwarder != null) {
            forwarder.close();
          }
        } finally {
          Directories.deleteRecursively(logDir);
        }
      }
    }
  }
}
