package dev.keel.outbox.internal;

import dev.keel.event.Event;
import dev.keel.event.EventHeaders;
import dev.keel.event.TraceContext;
import dev.keel.outbox.observation.DefaultOutboxAppendObservationConvention;
import dev.keel.outbox.observation.OutboxAppendContext;
import dev.keel.outbox.observation.OutboxAppendObservationConvention;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * Starts the {@code create <topic>} observation of an appended event and stores the trace context
 * its handlers injected. Thread-safe.
 */
final class AppendObservations {
  private static final int MAX_NAME_LENGTH = 255;

  private final ObservationRegistry registry;
  private final OutboxAppendObservationConvention convention;

  AppendObservations(ObservationRegistry registry, OutboxAppendObservationConvention convention) {
    this.registry = registry;
    this.convention = convention;
  }

  /** Whether no handler would see an observation: append then does no observation work at all. */
  boolean off() {
    return registry.isNoop();
  }

  /** A started observation of appending {@code event}; its context holds the injected headers. */
  Observation start(Event event) {
    OutboxAppendContext context = new OutboxAppendContext(event);
    return Observation.createNotStarted(
            convention, DefaultOutboxAppendObservationConvention.INSTANCE, () -> context, registry)
        .start();
  }

  /**
   * The event to store: the one given when it has a valid {@code traceparent} of its own (an
   * explicit trace wins) or nothing valid was injected; otherwise a copy with the injected {@code
   * traceparent} and the other injected headers, less those that would clash with Keel's header
   * contract or break its limits.
   */
  static Event withInjected(Observation observation, Event event) {
    if (TraceContext.isValid(event.traceParent().orElse(null))
        || !(observation.getContext() instanceof OutboxAppendContext context)) {
      return event;
    }
    Map<String, String> injected = context.getCarrier();
    String traceParent = injected == null ? null : injected.get(EventHeaders.TRACEPARENT);
    if (!TraceContext.isValid(traceParent)) {
      return event;
    }
    Event.Builder b = event.toBuilder().traceParent(traceParent);
    for (Map.Entry<String, String> e : injected.entrySet()) {
      String name = e.getKey();
      if (EventHeaders.ENVELOPE.contains(name)
          || name.startsWith("keel-")
          || name.isEmpty()
          || name.length() > MAX_NAME_LENGTH
          || e.getValue().getBytes(StandardCharsets.UTF_8).length > EventHeaders.MAX_VALUE_BYTES) {
        continue;
      }
      b.header(name, e.getValue());
    }
    return b.build();
  }
}
