package dev.keel.consumer.internal;

import dev.keel.consumer.observation.ConsumerProcessContext;
import dev.keel.consumer.observation.ConsumerProcessObservationConvention;
import dev.keel.consumer.observation.DefaultConsumerProcessObservationConvention;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/** Runs a handler inside a {@code process <topic>} observation. Thread-safe. */
final class ProcessObservations {
  /** The handler call to observe. */
  interface Call {
    void run() throws Exception;
  }

  private final ObservationRegistry registry;
  private final ConsumerProcessObservationConvention convention;

  ProcessObservations(
      ObservationRegistry registry, ConsumerProcessObservationConvention convention) {
    this.registry = registry == null ? ObservationRegistry.NOOP : registry;
    this.convention = convention;
  }

  /** Whether no handler would see an observation: the handler then runs without any. */
  boolean off() {
    return registry.isNoop();
  }

  /**
   * Runs {@code call} with the observation started and in scope (so that what the handler observes
   * or appends is its child); a failure is recorded on the observation and rethrown.
   */
  void observe(
      Prepared p, ConsumerRecord<byte[], byte[]> record, String group, int attempt, Call call)
      throws Exception {
    ConsumerProcessContext context =
        new ConsumerProcessContext(record, p.event(), group, p.listener().name(), attempt);
    Observation observation =
        Observation.createNotStarted(
                convention,
                DefaultConsumerProcessObservationConvention.INSTANCE,
                () -> context,
                registry)
            .start();
    try (Observation.Scope scope = observation.openScope()) {
      call.run();
    } catch (Exception | Error e) {
      observation.error(e);
      throw e;
    } finally {
      observation.stop();
    }
  }
}
