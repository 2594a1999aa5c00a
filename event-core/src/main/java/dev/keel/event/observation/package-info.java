/**
 * What Keel's Micrometer observations share across modules: the OpenTelemetry messaging key names
 * ({@link dev.keel.event.observation.MessagingAttributes}). The observation contexts and
 * conventions live with the module that observes: {@code dev.keel.outbox.observation} (append,
 * relay publish) and {@code dev.keel.consumer.observation} (handler processing).
 */
package dev.keel.event.observation;
