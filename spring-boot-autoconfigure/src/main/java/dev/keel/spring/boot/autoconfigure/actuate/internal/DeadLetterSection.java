package dev.keel.spring.boot.autoconfigure.actuate.internal;

import dev.keel.dlq.ActionResult;
import dev.keel.dlq.DeadLetter;
import dev.keel.dlq.DeadLetterQuery;
import dev.keel.dlq.DeadLetterStatus;
import dev.keel.dlq.DeadLetterStore;
import dev.keel.dlq.DeadLetters;
import dev.keel.dlq.FailedRecord;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

/** Dead letters: those waiting, blocked keys; replay and discard (through {@link DeadLetters}). */
public final class DeadLetterSection implements KeelSection {
  static final String KIND = "dead-letter";

  private final DeadLetters deadLetters;
  private final DeadLetterStore store;
  private final long threshold;

  /**
   * The section.
   *
   * @param deadLetters the operator API
   * @param store its store, for counts
   * @param threshold more dead letters waiting than this turn {@code deadLetters} {@code
   *     OUT_OF_SERVICE}
   */
  public DeadLetterSection(DeadLetters deadLetters, DeadLetterStore store, long threshold) {
    this.deadLetters = Objects.requireNonNull(deadLetters, "deadLetters");
    this.store = Objects.requireNonNull(store, "store");
    this.threshold = threshold;
  }

  @Override
  public String name() {
    return "deadLetters";
  }

  @Override
  public Set<String> kinds() {
    return Set.of(KIND);
  }

  private static DeadLetterQuery waiting(int limit) {
    return DeadLetterQuery.builder().status(DeadLetterStatus.DEAD).limit(limit).build();
  }

  @Override
  public Map<String, Object> summary(int limit) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put(
        "waiting", store.count(DeadLetterQuery.builder().status(DeadLetterStatus.DEAD).build()));
    out.put("blockedKeys", store.blockedKeys());
    List<Map<String, Object>> oldest = new ArrayList<>();
    for (DeadLetter d : deadLetters.list(waiting(limit))) {
      oldest.add(view(d));
    }
    out.put("oldest", oldest);
    return out;
  }

  @Override
  public Optional<Map<String, Object>> detail(String kind, String id) {
    return deadLetters
        .show(Values.number(kind, id))
        .map(
            d -> {
              Map<String, Object> m = view(d);
              m.put("stackTrace", d.stackTrace());
              List<String> headers = new ArrayList<>();
              for (FailedRecord.Header h : d.headers()) {
                headers.add(h.name());
              }
              m.put("headerNames", headers);
              return m;
            });
  }

  @Override
  public Map<String, Object> operate(
      String kind, String id, String action, String actor, String reason) {
    DeadLetterQuery one = DeadLetterQuery.byId(Values.number(kind, id));
    ActionResult r =
        switch (action) {
          case "replay" -> deadLetters.replay(one, actor);
          case "discard" -> deadLetters.discard(one, actor);
          default -> throw Values.unknownAction(kind, action, "replay, discard");
        };
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("kind", kind);
    out.put("id", id);
    out.put("action", r.action());
    out.put("actor", actor);
    out.put("matched", r.matched());
    out.put("records", r.records());
    out.put("parkedRecords", r.parkedRecords());
    out.put("skipped", r.skipped());
    out.put("auditId", r.auditId());
    List<Map<String, Object>> refused = new ArrayList<>();
    for (ActionResult.Refusal f : r.refused()) {
      refused.add(Map.of("id", f.id(), "reason", f.reason()));
    }
    out.put("refused", refused);
    return out;
  }

  @Override
  public Map<String, Supplier<Check>> checks() {
    return Map.of("deadLetters", this::check);
  }

  private Check check() {
    long waiting = store.count(DeadLetterQuery.builder().status(DeadLetterStatus.DEAD).build());
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("waiting", waiting);
    details.put("threshold", threshold);
    details.put("blockedKeys", store.blockedKeys());
    if (waiting <= threshold) {
      return new Check(Level.UP, details);
    }
    deadLetters.list(waiting(1)).stream()
        .findFirst()
        .ifPresent(d -> details.put("oldest", view(d)));
    details.put(
        "action",
        "records failed for good and wait for an operator: inspect them (GET keel/dead-letter/<id>),"
            + " fix the cause, then replay or discard them");
    return new Check(Level.OUT_OF_SERVICE, details);
  }

  private static Map<String, Object> view(DeadLetter d) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", d.id());
    m.put("group", d.group());
    m.put("topic", d.topic());
    m.put("partition", d.partition());
    m.put("offset", d.offset());
    m.put("key", d.keyShown());
    m.put("eventId", d.eventId());
    m.put("reason", d.reason() == null ? null : d.reason().name());
    m.put("exception", d.exceptionClass());
    m.put("message", d.exceptionMessage());
    m.put("attempts", d.attempts());
    m.put("createdAt", Values.text(d.createdAt()));
    m.put("status", d.status().name());
    m.put("replayCount", d.replayCount());
    return m;
  }
}
