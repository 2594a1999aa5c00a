package dev.keel.test;

import dev.keel.test.internal.EmbeddedKafkaBroker;
import dev.keel.test.internal.ExternalKafkaBroker;
import java.util.Map;

/**
 * A real Apache Kafka broker for tests: started inside the JVM from Kafka's own server jars (KRaft
 * combined broker and controller on a free loopback port), or an external broker when the
 * environment variable {@value #BOOTSTRAP_ENV} is set.
 *
 * <p>The embedded broker runs with single-broker settings under which idempotent and transactional
 * producers work: replication factors 1 and {@code min.insync.replicas=1}.
 *
 * <pre>{@code
 * try (KafkaBroker broker = KafkaBroker.start()) {
 *   broker.createTopic("orders", 3);
 *   Map<String, Object> props = broker.clientProperties();
 * }
 * }</pre>
 *
 * <p>Thread safety: all methods are safe to call from several threads. {@link #close()} stops an
 * embedded broker and deletes its log directory; for an external broker it only releases the admin
 * client.
 */
public interface KafkaBroker extends AutoCloseable {

  /** The environment variable that names an external broker's bootstrap servers. */
  String BOOTSTRAP_ENV = "KEEL_KAFKA_BOOTSTRAP";

  /**
   * Starts an embedded broker, or connects to the external one named by {@value #BOOTSTRAP_ENV}.
   *
   * @return a running broker; the caller closes it
   */
  static KafkaBroker start() {
    String external = System.getenv(BOOTSTRAP_ENV);
    if (external != null && !external.isBlank()) {
      return new ExternalKafkaBroker(external.trim());
    }
    return EmbeddedKafkaBroker.start(Map.of());
  }

  /**
   * Starts an embedded broker with extra broker properties (for example {@code message.max.bytes}),
   * ignoring {@value #BOOTSTRAP_ENV}.
   *
   * @param overrides broker properties that replace the defaults
   * @return a running embedded broker; the caller closes it
   */
  static KafkaBroker startEmbedded(Map<String, String> overrides) {
    return EmbeddedKafkaBroker.start(overrides);
  }

  /**
   * Starts an embedded broker whose clients can be left without answers ({@link #pause()}), with
   * extra broker properties, ignoring {@value #BOOTSTRAP_ENV}. Clients reach it through a loopback
   * forwarder that the broker advertises to them; the broker itself, its controller and {@link
   * #createTopic} stay direct.
   *
   * @param overrides broker properties that replace the defaults
   * @return a running embedded broker that {@link #supportsPause() supports pause}; the caller
   *     closes it
   */
  static KafkaBroker startEmbeddedPausable(Map<String, String> overrides) {
    return EmbeddedKafkaBroker.start(overrides, true);
  }

  /** The {@code bootstrap.servers} value for clients. */
  String bootstrapServers();

  /** Client properties that reach this broker: {@code bootstrap.servers} only. */
  default Map<String, Object> clientProperties() {
    return Map.of("bootstrap.servers", bootstrapServers());
  }

  /** A short description of the backend, for test logs. */
  String describe();

  /**
   * Creates a topic and waits until it exists.
   *
   * @param name topic name
   * @param partitions number of partitions, at least 1
   */
  void createTopic(String name, int partitions);

  /**
   * Whether the broker can be stopped and started again by the test ({@link #stop()}, {@link
   * #restart()}); true for the embedded broker only.
   */
  boolean supportsRestart();

  /**
   * Stops the broker process but keeps its data, to simulate an outage.
   *
   * @throws UnsupportedOperationException for an external broker
   */
  void stop();

  /**
   * Starts a broker stopped by {@link #stop()} again, on the same port and with the same data.
   *
   * @throws UnsupportedOperationException for an external broker
   */
  void restart();

  /**
   * Whether {@link #pause()} and {@link #resume()} work: true only for a broker started with {@link
   * #startEmbeddedPausable}.
   */
  default boolean supportsPause() {
    return false;
  }

  /**
   * Leaves every client without answers while the broker keeps running with all its state, as a
   * long GC pause or a stopped process would look to them: connections stay open, connects
   * complete, no request is read and no response is sent until {@link #resume()}. Unlike a real
   * stopped process, the broker's own timers go on (a consumer whose session expires meanwhile is
   * removed from its group).
   *
   * @throws UnsupportedOperationException unless {@link #supportsPause()}
   */
  default void pause() {
    throw new UnsupportedOperationException("pause needs KafkaBroker.startEmbeddedPausable");
  }

  /**
   * Answers clients again after {@link #pause()}: what they sent meanwhile is read and answered.
   *
   * @throws UnsupportedOperationException unless {@link #supportsPause()}
   */
  default void resume() {
    throw new UnsupportedOperationException("pause needs KafkaBroker.startEmbeddedPausable");
  }

  /** Stops the broker (if embedded) and removes its data. */
  @Override
  void close();
}
