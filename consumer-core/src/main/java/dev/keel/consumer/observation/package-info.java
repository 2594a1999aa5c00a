/**
 * Micrometer observation of handler processing: {@code process <topic>} around each handler call
 * ({@link dev.keel.consumer.observation.ConsumerProcessContext}), a child of the trace context the
 * record carries, with a convention applications can replace. Off unless an {@code
 * ObservationRegistry} is given to {@code ConsumerRuntime.Builder#observationRegistry}.
 */
package dev.keel.consumer.observation;
