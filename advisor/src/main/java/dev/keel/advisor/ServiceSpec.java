package dev.keel.advisor;

import dev.keel.advisor.internal.Checks;
import java.util.Optional;

/**
 * A service of the topology: it produces events, sends commands, runs consumers or sagas.
 * Immutable.
 *
 * @param name the service name, unique in the topology
 * @param owner the owning team; the default owner of the events the service produces
 * @param description one sentence on what the service does, or empty
 */
public record ServiceSpec(String name, Optional<String> owner, String description) {
  /** Validates the service. */
  public ServiceSpec {
    Checks.name("service.name", name);
    owner = Checks.optional(owner);
    description = description == null ? "" : description;
  }

  /** A service with an owning team. */
  public static ServiceSpec of(String name, String owner) {
    return new ServiceSpec(name, Optional.ofNullable(owner), "");
  }
}
