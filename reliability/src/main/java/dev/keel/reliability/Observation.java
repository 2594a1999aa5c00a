package dev.keel.reliability;

import java.util.Objects;
import java.util.UUID;

/**
 * One observation of an event in one of the checker's sources: a committed outbox row, a record in
 * the Kafka log, or a row of a consumer's effect table.
 *
 * @param id the event id ({@code keel-event-id})
 * @param key the partition key; per-key order is checked among observations with the same key
 */
public record Observation(UUID id, String key) {

  /** Validates that both parts are present. */
  public Observation {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(key, "key");
  }
}
