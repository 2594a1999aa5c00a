/**
 * Keel's event envelope and the rules every module shares: the Kafka header contract ({@link
 * dev.keel.event.EventHeaders}), the failure taxonomy ({@link dev.keel.event.FailureClass}) and the
 * exception hierarchy rooted at {@link dev.keel.event.KeelException}.
 *
 * <p>Adapter packages keep third-party types out of this one: {@code kafka} (records), {@code json}
 * (Jackson), {@code sql} (jOOQ, dialects, schema installation), {@code contract} (event contracts
 * and their compatibility rules).
 */
package dev.keel.event;
