package dev.keel.reliability;

import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * What {@link DeliveryChecker} found. Immutable.
 *
 * @param committed events whose business transaction committed (from the database)
 * @param rolledBack events whose business transaction rolled back
 * @param logRecords records in the Kafka log, duplicates included
 * @param effectRows rows in the consumers' effect table, or -1 when no effect table was checked
 * @param lost committed events missing from the log or, when checked, from the effect table
 * @param abortedReads rolled-back events found in the log or the effect table
 * @param unexpected events in the log or effect table that were neither committed nor rolled back
 *     (for example an event without its business row)
 * @param rawDuplicates log records beyond the first of their event id
 * @param effectiveDuplicates effect rows beyond the first of their event id
 * @param logOrderViolations keys whose first occurrences in the log are out of commit order
 * @param effectOrderViolations keys whose effects were applied out of commit order
 * @param examples a few human-readable examples of the violations, for the failure message
 */
public record DeliveryReport(
    int committed,
    int rolledBack,
    long logRecords,
    long effectRows,
    Set<UUID> lost,
    Set<UUID> abortedReads,
    Set<UUID> unexpected,
    long rawDuplicates,
    long effectiveDuplicates,
    int logOrderViolations,
    int effectOrderViolations,
    List<String> examples) {

  /** Copies the collections. */
  public DeliveryReport {
    lost = Set.copyOf(lost);
    abortedReads = Set.copyOf(abortedReads);
    unexpected = Set.copyOf(unexpected);
    examples = List.copyOf(examples);
  }

  /** Whether an effect table was part of the check. */
  public boolean effectsChecked() {
    return effectRows >= 0;
  }

  /** Order violations in the log and the effect table together. */
  public int orderViolations() {
    return logOrderViolations + effectOrderViolations;
  }

  /**
   * Whether the delivery guarantee held: nothing lost, nothing rolled back read, nothing unknown,
   * no effect applied twice, per-key order intact. Raw duplicates in the log are allowed (the relay
   * publishes at least once); bound them separately.
   */
  public boolean ok() {
    return lost.isEmpty()
        && abortedReads.isEmpty()
        && unexpected.isEmpty()
        && effectiveDuplicates == 0
        && orderViolations() == 0;
  }

  /** The figures as a few readable lines, without the examples. */
  public String figures() {
    return String.format(
        "  committed %,d | rolled back %,d | log records %,d | effect rows %s%n"
            + "  lost %,d | aborted reads %,d | unexpected %,d%n"
            + "  duplicates raw %,d | effective %s%n"
            + "  order violations log %,d | effects %s",
        committed,
        rolledBack,
        logRecords,
        effectsChecked() ? String.format("%,d", effectRows) : "n/a",
        lost.size(),
        abortedReads.size(),
        unexpected.size(),
        rawDuplicates,
        effectsChecked() ? String.format("%,d", effectiveDuplicates) : "n/a",
        logOrderViolations,
        effectsChecked() ? String.format("%,d", effectOrderViolations) : "n/a");
  }

  @Override
  public String toString() {
    StringBuilder b = new StringBuilder(figures());
    for (String e : examples) {
      b.append(System.lineSeparator()).append("  - ").append(e);
    }
    return b.toString();
  }
}
