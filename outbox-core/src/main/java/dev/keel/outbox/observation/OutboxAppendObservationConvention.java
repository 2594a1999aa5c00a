package dev.keel.outbox.observation;

import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationConvention;

/**
 * Names and key values of the outbox append observation; implement it (or extend {@link
 * DefaultOutboxAppendObservationConvention}) to rename or add key values, and pass it to {@code
 * Outbox.Builder#observationConvention}.
 */
public interface OutboxAppendObservationConvention
    extends ObservationConvention<OutboxAppendContext> {
  @Override
  default boolean supportsContext(Observation.Context context) {
    return context instanceof OutboxAppendContext;
  }
}
