/**
 * Keel saga-core: orchestrated sagas with compensations, database deadlines and participant
 * helpers.
 *
 * <p>Entry points: {@link dev.keel.saga.SagaDefinition} (what a saga does), {@link
 * dev.keel.saga.SagaOrchestrator} (runs definitions), {@link dev.keel.saga.SagaParticipant} (the
 * services that execute commands) and {@link dev.keel.saga.SagaAdmin} (queries and operator
 * actions).
 */
package dev.keel.saga;
