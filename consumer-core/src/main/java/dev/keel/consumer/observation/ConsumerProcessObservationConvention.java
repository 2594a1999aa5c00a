package dev.keel.consumer.observation;

import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationConvention;

/**
 * Names and key values of the handler observation; implement it (or extend {@link
 * DefaultConsumerProcessObservationConvention}) and pass it to {@code
 * ConsumerRuntime.Builder#observationConvention}.
 */
public interface ConsumerProcessObservationConvention
    extends ObservationConvention<ConsumerProcessContext> {
  @Override
  default boolean supportsContext(Observation.Context context) {
    return context instanceof ConsumerProcessContext;
  }
}
