package dev.keel.saga;

import java.time.Instant;
import java.util.UUID;

/**
 * One operator action on a saga.
 *
 * @param id the audit row id
 * @param sagaId the saga
 * @param action {@code RETRY_COMPENSATION} or {@code RESOLVE}
 * @param actor who did it
 * @param reason why, may be null
 * @param at when
 */
public record SagaAuditEntry(
    long id, UUID sagaId, String action, String actor, String reason, Instant at) {}
