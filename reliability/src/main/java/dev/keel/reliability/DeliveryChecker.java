package dev.keel.reliability;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;

/**
 * Judges one run of events through the outbox, the relay, Kafka and the consumers, in the manner of
 * Kafka's transaction system tests and Jepsen's Kafka checker: it compares what the database says
 * was committed (and what was rolled back) with the raw Kafka log, duplicates included, and with
 * the consumers' effect table.
 *
 * <pre>{@code
 * DeliveryReport report = DeliveryChecker.create()
 *     .committed(committedInCommitOrder)   // from the business table, per key in commit order
 *     .rolledBack(rolledBackIds)
 *     .log(recordsAsRead)                  // every record of the topic, in log order
 *     .effects(effectRowsInApplyOrder)     // optional
 *     .check();
 * assert report.ok() : report;
 * }</pre>
 *
 * <p>Findings:
 *
 * <ul>
 *   <li><b>lost</b>: committed, but missing from the log or from the effect table;
 *   <li><b>aborted read</b>: rolled back, yet in the log or the effect table;
 *   <li><b>unexpected</b>: in the log or the effect table, but neither committed nor rolled back;
 *   <li><b>raw duplicates</b>: log records beyond the first of their event id (allowed by
 *       at-least-once publishing, bounded by the caller);
 *   <li><b>effective duplicates</b>: effect rows beyond the first of their event id;
 *   <li><b>order violations</b>: per key, the first occurrences in the log, and the effects in the
 *       order they were applied, must follow the commit order of that key; each key counts once.
 * </ul>
 *
 * <p>Not thread-safe; build one per check. The inputs are copied when given.
 */
public final class DeliveryChecker {
  private static final int MAX_EXAMPLES = 10;

  private final List<Observation> committed = new ArrayList<>();
  private final Set<UUID> rolledBack = new HashSet<>();
  private final List<Observation> log = new ArrayList<>();
  private List<Observation> effects;

  private DeliveryChecker() {}

  /** Starts an empty check. */
  public static DeliveryChecker create() {
    return new DeliveryChecker();
  }

  /** Committed events; for each key, in the order its transactions committed. */
  public DeliveryChecker committed(Collection<Observation> events) {
    committed.addAll(events);
    return this;
  }

  /** Ids of events whose transaction rolled back. */
  public DeliveryChecker rolledBack(Collection<UUID> ids) {
    rolledBack.addAll(ids);
    return this;
  }

  /** The records of the Kafka log as read, duplicates included, in log order per partition. */
  public DeliveryChecker log(Collection<Observation> records) {
    log.addAll(records);
    return this;
  }

  /** The consumers' effect rows in the order they were applied; not checked when never given. */
  public DeliveryChecker effects(Collection<Observation> rows) {
    effects = new ArrayList<>(rows);
    return this;
  }

  /**
   * Runs the comparison.
   *
   * @throws IllegalArgumentException when an id is both committed and rolled back, or committed
   *     twice: the inputs themselves are wrong
   */
  public DeliveryReport check() {
    Map<UUID, Integer> position = new HashMap<>();
    Map<UUID, String> keyOf = new HashMap<>();
    Map<String, Integer> perKey = new HashMap<>();
    for (Observation o : committed) {
      if (rolledBack.contains(o.id())) {
        throw new IllegalArgumentException("event " + o.id() + " is committed and rolled back");
      }
      int pos = perKey.merge(o.key(), 1, Integer::sum) - 1;
      if (position.put(o.id(), pos) != null) {
        throw new IllegalArgumentException("event " + o.id() + " is committed twice");
      }
      keyOf.put(o.id(), o.key());
    }
    List<String> examples = new ArrayList<>();
    Set<UUID> lost = new LinkedHashSet<>();
    Set<UUID> aborted = new LinkedHashSet<>();
    Set<UUID> unexpected = new LinkedHashSet<>();

    Source logSource = scan("log", log, position, keyOf, aborted, unexpected, examples);
    for (Observation o : committed) {
      if (!logSource.seen.contains(o.id())) {
        lost.add(o.id());
        example(examples, "lost: " + o.id() + " (key " + o.key() + ") never reached the log");
      }
    }
    long effectRows = -1;
    long effectiveDuplicates = 0;
    int effectOrder = 0;
    if (effects != null) {
      Source effectSource =
          scan("effects", effects, position, keyOf, aborted, unexpected, examples);
      for (Observation o : committed) {
        if (!effectSource.seen.contains(o.id())) {
          lost.add(o.id());
          example(examples, "lost: " + o.id() + " (key " + o.key() + ") has no effect");
        }
      }
      effectRows = effects.size();
      effectiveDuplicates = effectSource.duplicates;
      effectOrder = effectSource.orderViolations;
    }
    return new DeliveryReport(
        committed.size(),
        rolledBack.size(),
        log.size(),
        effectRows,
        lost,
        aborted,
        unexpected,
        logSource.duplicates,
        effectiveDuplicates,
        logSource.orderViolations,
        effectOrder,
        examples);
  }

  /** What one source (log or effects) holds: ids seen, duplicates, out-of-order keys. */
  private static final class Source {
    final Set<UUID> seen = new HashSet<>();
    long duplicates;
    int orderViolations;
  }

  private Source scan(
      String name,
      List<Observation> observations,
      Map<UUID, Integer> position,
      Map<UUID, String> keyOf,
      Set<UUID> aborted,
      Set<UUID> unexpected,
      List<String> examples) {
    Source s = new Source();
    Map<String, Integer> lastPosition = new HashMap<>();
    Set<String> violatedKeys = new HashSet<>();
    for (Observation o : observations) {
      if (!s.seen.add(o.id())) {
        s.duplicates++;
        continue;
      }
      Integer pos = position.get(o.id());
      if (pos == null) {
        if (rolledBack.contains(o.id())) {
          if (aborted.add(o.id())) {
            example(examples, "aborted read: rolled-back " + o.id() + " found in " + name);
          }
        } else if (unexpected.add(o.id())) {
          example(examples, "unexpected: " + o.id() + " in " + name + " was never committed");
        }
        continue;
      }
      String key = keyOf.get(o.id());
      if (!key.equals(o.key())) {
        example(
            examples,
            name + ": " + o.id() + " committed with key " + key + " but seen with key " + o.key());
      }
      Integer last = lastPosition.get(key);
      if (last != null && pos < last) {
        if (violatedKeys.add(key)) {
          s.orderViolations++;
          example(
              examples,
              name
                  + " order: key "
                  + key
                  + " saw its event #"
                  + pos
                  + " after #"
                  + last
                  + " ("
                  + o.id()
                  + ")");
        }
      } else {
        lastPosition.put(key, pos);
      }
    }
    return s;
  }

  private static void example(List<String> examples, String text) {
    if (examples.size() < MAX_EXAMPLES) {
      examples.add(Objects.requireNonNull(text));
    }
  }
}
