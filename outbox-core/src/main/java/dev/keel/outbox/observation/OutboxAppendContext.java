package dev.keel.outbox.observation;

import dev.keel.event.Event;
import io.micrometer.observation.transport.Kind;
import io.micrometer.observation.transport.Propagator;
import io.micrometer.observation.transport.SenderContext;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The context of one event's append to the outbox ({@code create <topic>}, kind {@link
 * Kind#PRODUCER}). Its carrier is a header map: a tracing handler writes the append span's trace
 * context into it ({@code traceparent}, {@code tracestate}, ...) when the observation starts, and
 * the outbox stores those headers with the row, so that the relay and the consumers continue the
 * trace. The event's own valid {@code traceparent}, when it was given explicitly, wins over the
 * injected one; injected names of Keel's header contract (other than {@code traceparent}) or
 * starting with {@code keel-} are never stored.
 *
 * <p>Created by the outbox for each appended event; not thread-safe.
 */
public class OutboxAppendContext extends SenderContext<Map<String, String>> {
  private static final Propagator.Setter<Map<String, String>> SETTER =
      (carrier, key, value) -> {
        if (carrier != null && key != null && value != null) {
          carrier.put(key, value);
        }
      };

  private final Event event;

  /**
   * A context for appending {@code event}, with an empty header map as the carrier.
   *
   * @param event the event as the application gave it
   */
  public OutboxAppendContext(Event event) {
    super(SETTER, Kind.PRODUCER);
    this.event = Objects.requireNonNull(event, "event");
    setCarrier(new LinkedHashMap<>());
  }

  /** The event as the application gave it (before trace headers were added). */
  public Event event() {
    return event;
  }

  /** The destination topic. */
  public String topic() {
    return event.topic();
  }
}
