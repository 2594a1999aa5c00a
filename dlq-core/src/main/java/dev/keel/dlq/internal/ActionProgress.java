package dev.keel.dlq.internal;

import dev.keel.dlq.DeadLetter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.function.LongConsumer;

/**
 * What a replay or discard has done so far, counted only once committed; audited whether the action
 * completes or stops part way. Confined to the thread running the action.
 */
final class ActionProgress {
  final List<Long> done = new ArrayList<>();
  final Map<String, Integer> groups = new TreeMap<>();
  final List<dev.keel.dlq.ActionResult.Refusal> refused = new ArrayList<>();
  int parked;
  int skipped;
  private final Consumer<DeadLetter> onResolved;
  private final LongConsumer onHandled;

  /**
   * @param onResolved told of every dead letter the action resolved, once committed
   * @param onHandled told how many selected dead letters are handled (resolved, refused, skipped)
   *     each time one more is resolved
   */
  ActionProgress(Consumer<DeadLetter> onResolved, LongConsumer onHandled) {
    this.onResolved = onResolved;
    this.onHandled = onHandled;
  }

  /** A dead letter the action replayed or discarded (its transaction committed). */
  void resolved(DeadLetter d) {
    done.add(d.id());
    groups.merge(d.group(), 1, Integer::sum);
    onResolved.accept(d);
    onHandled.accept((long) done.size() + refused.size() + skipped);
  }
}
