package dev.keel.dlq.internal;

import dev.keel.dlq.DeadLetter;
import dev.keel.dlq.DeadLetterStatus;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * A discard ({@link KeyAction}): for a blocked key, its parked records are removed a page at a time
 * in short transactions, then its selected dead letters are marked {@code DISCARDED} and the key
 * unblocked in the transaction that finds no parked record left, so records parked while the
 * discard runs are removed with the rest. Confined to the thread running the discard.
 */
final class KeyDiscard extends KeyAction {

  KeyDiscard(
      JdbcDeadLetterStore store,
      Clock clock,
      Duration lease,
      String actor,
      ActionProgress progress) {
    super(store, clock, lease, actor, progress);
  }

  /** A transaction's answer: records removed, or the key's work ended (with what it resolved). */
  private record Step(int removed, List<DeadLetter> resolved) {}

  @Override
  boolean key(BlockSql.Key k, List<DeadLetter> letters) {
    Claim claim = claim(k, letters, false);
    if (claim == null) {
      return false;
    }
    progress.skipped += claim.skipped();
    if (claim.busy() || claim.mine().isEmpty()) {
      return true;
    }
    try {
      while (true) {
        Instant now = clock.instant();
        Step step =
            store.write(
                c -> {
                  held(c, k);
                  if (heldByOthers(c, k, claim)) {
                    // the key's other dead letters keep its parked records
                    return new Step(0, finish(c, k, claim, DeadLetterStatus.DISCARDED, false));
                  }
                  List<Long> ids = blocks.ids(c, k, PAGE);
                  if (ids.isEmpty()) {
                    return new Step(0, finish(c, k, claim, DeadLetterStatus.DISCARDED, true));
                  }
                  int removed = blocks.delete(c, k, ids.get(0), ids.get(ids.size() - 1));
                  blocks.renew(c, k, now.plus(lease));
                  return new Step(removed, null);
                });
        if (step.resolved() != null) {
          step.resolved().forEach(progress::resolved);
          return true;
        }
        renewed(now);
        progress.parked += step.removed();
        ReplayHooks.reach(ReplayHooks.Point.PAGE_REMOVED);
      }
    } catch (ClaimLost e) {
      throw e;
    } catch (RuntimeException e) {
      giveUp(k, e);
      throw e;
    }
  }

  @Override
  void alone(DeadLetter d) {
    if (resolveUnclaimed(d)) {
      progress.resolved(d);
    } else {
      progress.skipped++;
    }
  }

  private boolean resolveUnclaimed(DeadLetter d) {
    Instant now = clock.instant();
    return store.write(
        c -> {
          BlockSql.Letter l = blocks.lockLetter(c, d.id());
          if (l.status() != DeadLetterStatus.DEAD || l.claimedByOther(owner, now)) {
            return false;
          }
          store.resolve(c, d.id(), DeadLetterStatus.DISCARDED, actor, clock.instant());
          return true;
        });
  }
}
