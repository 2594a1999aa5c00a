package dev.keel.event.contract;

import java.util.List;

/**
 * The verdict of {@link Compatibility#check}: compatible when there is no breaking change.
 *
 * @param from the old contract's name and version
 * @param to the new contract's name and version
 * @param breakingChanges each change that breaks consumers, in a stable order
 * @param notes additive or allowed changes worth telling (new optional field, field removed after
 *     its deprecation window)
 */
public record CompatibilityReport(
    String from, String to, List<BreakingChange> breakingChanges, List<String> notes) {

  /** Copies the lists. */
  public CompatibilityReport {
    breakingChanges = List.copyOf(breakingChanges);
    notes = List.copyOf(notes);
  }

  /** Whether the new version can replace the old without breaking consumers. */
  public boolean compatible() {
    return breakingChanges.isEmpty();
  }
}
