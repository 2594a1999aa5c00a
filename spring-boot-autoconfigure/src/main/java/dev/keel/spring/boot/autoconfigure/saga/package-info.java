/**
 * Sagas in a Spring Boot application: the {@link dev.keel.saga.SagaOrchestrator} of the
 * application's {@link dev.keel.saga.SagaDefinition} beans and the consumer runtime of its {@link
 * dev.keel.saga.SagaParticipant} beans, both started and stopped with the context.
 */
package dev.keel.spring.boot.autoconfigure.saga;
