package dev.keel.dlq;

import java.util.List;
import java.util.Map;

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
 */
public record ActionResult(
    String action,
    long matched,
    int records,
    int parkedRecords,
    int skipped,
    long auditId,
    List<Long> ids,
    Map<String, Integer> groups) {

  /** Copies. */
  public ActionResult {
    ids = List.copyOf(ids);
    groups = Map.copyOf(groups);
  }

  /**
   * A result without the count per consumer group.
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
    this(action, matched, records, parkedRecords, skipped, auditId, ids, Map.of());
  }
}
