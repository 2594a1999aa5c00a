package dev.keel.advisor.internal;

import dev.keel.advisor.EventSpec;
import dev.keel.advisor.Topology;
import dev.keel.event.KeelConfigurationException;
import dev.keel.event.contract.Compatibility;
import dev.keel.event.contract.CompatibilityReport;
import dev.keel.event.contract.EventContract;
import java.time.Instant;
import java.util.Optional;

/** Builds event-core contracts from the topology and checks them with {@link Compatibility}. */
public final class ContractSupport {
  private ContractSupport() {}

  /**
   * The event's contract as event-core sees it. A missing version falls back to the previous
   * contract's (so that an unchanged contract stays compatible); a missing owner to {@code
   * unknown}; both are reported by KEEL-R010.
   */
  public static Optional<EventContract> current(Topology t, EventSpec e) {
    int version = e.version().orElse(e.previous().map(EventContract::version).orElse(1));
    EventContract.Builder b =
        EventContract.builder(e.name(), version)
            .owner(t.ownerOf(e).orElse("unknown"))
            .topic(e.topic())
            .description(e.description());
    e.orderingKey().ifPresent(b::orderingKey);
    e.fields().forEach(b::field);
    e.deprecations().forEach(b::deprecate);
    try {
      return Optional.of(b.build());
    } catch (KeelConfigurationException ex) {
      return Optional.empty();
    }
  }

  /** The compatibility of the event's contract with its previous version, when one is given. */
  public static Optional<CompatibilityReport> compatibility(Topology t, EventSpec e, Instant now) {
    if (e.previous().isEmpty()) {
      return Optional.empty();
    }
    return current(t, e).map(c -> Compatibility.check(e.previous().get(), c, now));
  }
}
