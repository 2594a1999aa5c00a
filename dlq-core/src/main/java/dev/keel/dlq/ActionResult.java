package dev.keel.dlq;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What a replay or discard did.
 *
 * <p>Immutable and thread-safe.
 *
 * @param action {@code replay} or {@code discard}
 * @param matched {@code DEAD} dead letters that matched the selection when the action started (more
 *     than {@code records} when the selection had an explicit limit)
 * @param records dead letters replayed or discarded
 * @param parkedRecords parked records released (replay) or removed (discard)
 * @param skipped selected dead letters left alone: another operator resolved them first, or another
 *     replay or discard was working on their key when this one came to it (run the action again
 *     once that one is done)
 * @param auditId the audit row written for the action
 * @param ids the ids of the dead letters affected
 * @param groups how many of the dead letters affected belong to each consumer group
 * @param refused selected dead letters the action refused and left {@code DEAD}, each with the
 *     reason (replay refuses a dead letter whose key was redacted)
 */
public record ActionResult(
    String action,
    long matched,
    int records,
    int parkedRecords,
    int skipped,
    long auditId,
    List<Long> ids,
    Map<String, Integer> groups,
    List<Refusal> refused) {

  /** Copies. */
  public ActionResult {
    ids = List.copyOf(ids);
    groups = Map.copyOf(groups);
    refused = List.copyOf(refused);
  }

  /**
   * A result without the count per consumer group and without refusals.
   *
   * @deprecated kept for callers written before {@link #groups()}; it reports no group
   */
  @Deprecated
  public ActionResult(
      String action,
      long matched,
      int records,
      int parkedRecords,
      int skipped,
      long auditId,
      List<Long> ids) {
    this(action, matched, records, parkedRecords, skipped, auditId, ids, Map.of(), List.of());
  }

  /**
   * A dead letter an action refused, and why.
   *
   * @param id the dead letter
   * @param reason why it was left alone, for the operator
   */
  public record Refusal(long id, String reason) {
    /** Validates. */
    public Refusal {
      Objects.requireNonNull(reason, "reason");
    }
  }
}
