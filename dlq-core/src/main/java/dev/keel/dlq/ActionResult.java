package dev.keel.dlq;

import java.util.List;

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
 * @param skipped selected dead letters left alone because another operator resolved them first
 * @param auditId the audit row written for the action
 * @param ids the ids of the dead letters affected
 */
public record ActionResult(
    String action,
    long matched,
    int records,
    int parkedRecords,
    int skipped,
    long auditId,
    List<Long> ids) {

  /** Copies. */
  public ActionResult {
    ids = List.copyOf(ids);
  }
}
