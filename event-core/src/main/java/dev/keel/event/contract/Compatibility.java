package dev.keel.event.contract;

import dev.keel.event.contract.BreakingChange.Kind;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Checks that a contract evolves additively. Allowed: new optional fields, changed descriptions,
 * removal of a field whose deprecation window has passed. Everything else that consumers can see is
 * a {@link BreakingChange}. Thread-safe (stateless).
 */
public final class Compatibility {
  private Compatibility() {}

  /** Checks with the system clock deciding whether deprecation windows have passed. */
  public static CompatibilityReport check(EventContract previous, EventContract next) {
    return check(previous, next, Clock.systemUTC().instant());
  }

  /**
   * Checks {@code next} against {@code previous}.
   *
   * @param previous the contract consumers read today
   * @param next the proposed contract
   * @param now the instant that decides whether deprecation windows have passed
   */
  public static CompatibilityReport check(EventContract previous, EventContract next, Instant now) {
    Objects.requireNonNull(previous, "previous");
    Objects.requireNonNull(next, "next");
    String from = previous.name() + " v" + previous.version();
    String to = next.name() + " v" + next.version();
    List<BreakingChange> breaking = new ArrayList<>();
    List<String> notes = new ArrayList<>();

    if (!previous.name().equals(next.name())) {
      breaking.add(
          new BreakingChange(
              Kind.EVENT_RENAMED,
              null,
              from
                  + " renamed to "
                  + next.name()
                  + ": publish a new event type alongside the old one instead"));
    }
    for (ContractField old : previous.fields()) {
      Optional<ContractField> now2 = next.field(old.name());
      if (now2.isEmpty()) {
        Optional<Deprecation> dep =
            previous.deprecations().stream().filter(d -> d.field().equals(old.name())).findFirst();
        if (dep.isPresent() && !now.isBefore(dep.get().removableAt())) {
          notes.add(
              "field "
                  + old.name()
                  + " removed after its deprecation window ended "
                  + dep.get().removableAt());
        } else if (dep.isPresent()) {
          breaking.add(
              new BreakingChange(
                  Kind.FIELD_REMOVED,
                  old.name(),
                  to
                      + " removes field "
                      + old.name()
                      + " before its deprecation window ends at "
                      + dep.get().removableAt()));
        } else {
          breaking.add(
              new BreakingChange(
                  Kind.FIELD_REMOVED,
                  old.name(),
                  to
                      + " removes field "
                      + old.name()
                      + " that "
                      + from
                      + " declares; deprecate it first, with a window"));
        }
        continue;
      }
      ContractField neu = now2.get();
      if (neu.type() != old.type()) {
        breaking.add(
            new BreakingChange(
                Kind.TYPE_CHANGED,
                old.name(),
                to
                    + " changes field "
                    + old.name()
                    + " from "
                    + old.type()
                    + " to "
                    + neu.type()
                    + "; add a new field instead"));
      }
      if (!old.required() && neu.required()) {
        breaking.add(
            new BreakingChange(
                Kind.FIELD_MADE_REQUIRED,
                old.name(),
                to
                    + " makes optional field "
                    + old.name()
                    + " required; events of "
                    + from
                    + " may lack it"));
      }
      if (old.required() && !neu.required()) {
        breaking.add(
            new BreakingChange(
                Kind.FIELD_MADE_OPTIONAL,
                old.name(),
                to
                    + " makes required field "
                    + old.name()
                    + " optional; consumers of "
                    + from
                    + " rely on it"));
      }
      if (old.role() != neu.role()) {
        notes.add("field " + old.name() + " changes role from " + old.role() + " to " + neu.role());
      }
    }
    for (ContractField neu : next.fields()) {
      if (previous.field(neu.name()).isEmpty()) {
        if (neu.required()) {
          breaking.add(
              new BreakingChange(
                  Kind.REQUIRED_FIELD_ADDED,
                  neu.name(),
                  to + " adds required field " + neu.name() + "; add it as optional"));
        } else {
          notes.add("adds optional field " + neu.name());
        }
      }
    }
    if (!previous.orderingKey().equals(next.orderingKey())) {
      breaking.add(
          new BreakingChange(
              Kind.ORDERING_KEY_CHANGED,
              next.orderingKey().orElse(null),
              to
                  + " orders by "
                  + next.orderingKey().orElse("nothing")
                  + " instead of "
                  + previous.orderingKey().orElse("nothing")));
    }
    boolean changed = !breaking.isEmpty() || !notes.isEmpty();
    if (changed && next.version() <= previous.version()) {
      breaking.add(
          0,
          new BreakingChange(
              Kind.VERSION_NOT_INCREASED,
              null,
              to + " changes the contract of " + from + " without a higher version"));
    }
    if (!previous.owner().equals(next.owner())) {
      notes.add("owner changes from " + previous.owner() + " to " + next.owner());
    }
    return new CompatibilityReport(from, to, breaking, notes);
  }
}
