package dev.keel.outbox.observation;

import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationConvention;

/**
 * Names and key values of the relay's publish observation; implement it (or extend {@link
 * DefaultOutboxSendObservationConvention}) and pass it to {@code
 * OutboxRelay.Builder#observationConvention}.
 */
public interface OutboxSendObservationConvention extends ObservationConvention<OutboxSendContext> {
  @Override
  default boolean supportsContext(Observation.Context context) {
    return context instanceof OutboxSendContext;
  }
}
