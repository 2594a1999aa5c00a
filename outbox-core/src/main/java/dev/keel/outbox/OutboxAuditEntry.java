package dev.keel.outbox;

import java.time.Instant;
import java.util.Optional;
import java.util.UUID;

/**
 * One operator action on the outbox, as {@link OutboxAdmin#audit(int)} reads it back.
 *
 * @param id the audit row's id
 * @param at when it was done
 * @param actor who did it (the verified identity when the admin has one)
 * @param action {@code retry}, {@code discard} or {@code resume}
 * @param eventId the event acted on ({@code retry}, {@code discard})
 * @param lane the lane acted on ({@code resume})
 * @param outcome {@code done}, or why nothing changed ({@code not quarantined}, {@code not
 *     stopped})
 */
public record OutboxAuditEntry(
    long id,
    Instant at,
    String actor,
    String action,
    Optional<UUID> eventId,
    Optional<Integer> lane,
    String outcome) {}
