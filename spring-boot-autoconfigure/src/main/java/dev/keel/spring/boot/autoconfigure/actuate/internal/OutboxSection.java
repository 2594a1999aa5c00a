package dev.keel.spring.boot.autoconfigure.actuate.internal;

import dev.keel.outbox.OutboxAdmin;
import dev.keel.outbox.QuarantinedEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.Supplier;

/** The outbox: rows waiting, stopped lanes, quarantined rows (through {@link OutboxAdmin}). */
public final class OutboxSection implements KeelSection {
  static final String EVENT = "outbox-event";
  static final String LANE = "outbox-lane";

  private final OutboxAdmin admin;
  private final Duration lagThreshold;

  /**
   * The section.
   *
   * @param admin the outbox's operator API
   * @param lagThreshold how old the oldest unpublished row may get before {@code outboxLag} is
   *     {@code DOWN}
   */
  public OutboxSection(OutboxAdmin admin, Duration lagThreshold) {
    this.admin = Objects.requireNonNull(admin, "admin");
    this.lagThreshold = Objects.requireNonNull(lagThreshold, "lagThreshold");
  }

  @Override
  public String name() {
    return "outbox";
  }

  @Override
  public Set<String> kinds() {
    return Set.of(EVENT, LANE);
  }

  @Override
  public Map<String, Object> summary(int limit) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("pending", admin.pending());
    out.put("oldestAge", admin.oldestAge().map(Values::text).orElse(null));
    out.put("stoppedLanes", lanes(admin.stoppedLanes()));
    List<Map<String, Object>> quarantined = new ArrayList<>();
    for (QuarantinedEvent q : admin.quarantined(limit)) {
      quarantined.add(view(q));
    }
    out.put("quarantined", quarantined);
    return out;
  }

  @Override
  public Optional<Map<String, Object>> detail(String kind, String id) {
    if (EVENT.equals(kind)) {
      UUID eventId = Values.uuid(kind, id);
      // The quarantine list is small (rows set aside by hand or by the relay's poison rule).
      return admin.quarantined(10_000).stream()
          .filter(q -> q.eventId().equals(eventId))
          .findFirst()
          .map(OutboxSection::view);
    }
    throw new IllegalArgumentException(kind + " has no detail view; see the outbox summary");
  }

  @Override
  public Map<String, Object> operate(
      String kind, String id, String action, String actor, String reason) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("kind", kind);
    out.put("id", id);
    out.put("action", action);
    out.put("actor", actor);
    boolean done;
    if (EVENT.equals(kind)) {
      UUID eventId = Values.uuid(kind, id);
      done =
          switch (action) {
            case "retry" -> admin.retry(eventId, actor);
            case "discard" -> admin.discard(eventId, actor);
            default -> throw Values.unknownAction(kind, action, "retry, discard");
          };
    } else {
      if (!"resume".equals(action)) {
        throw Values.unknownAction(kind, action, "resume");
      }
      long lane = Values.number(kind, id);
      if (lane < 0 || lane > Integer.MAX_VALUE) {
        throw new IllegalArgumentException(kind + " id must be a lane number, was " + id);
      }
      done = admin.resumeLane((int) lane, actor);
    }
    out.put("done", done);
    return out;
  }

  @Override
  public Map<String, Supplier<Check>> checks() {
    Map<String, Supplier<Check>> checks = new LinkedHashMap<>();
    checks.put("relayLanes", this::lanesCheck);
    checks.put("outboxLag", this::lagCheck);
    return checks;
  }

  private Check lanesCheck() {
    Map<String, Object> stopped = lanes(admin.stoppedLanes());
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("stoppedLanes", stopped);
    if (stopped.isEmpty()) {
      return new Check(Level.UP, details);
    }
    details.put(
        "action",
        "the events of a stopped lane are not published: fix the cause named for the lane, then"
            + " resume it (POST keel/outbox-lane/<lane>/resume or the CLI's outbox resume)");
    return new Check(Level.DOWN, details);
  }

  private Check lagCheck() {
    Optional<Duration> age = admin.oldestAge();
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("pending", admin.pending());
    details.put("oldestAge", age.map(Values::text).orElse(null));
    details.put("threshold", Values.text(lagThreshold));
    if (age.isPresent() && age.get().compareTo(lagThreshold) > 0) {
      details.put(
          "action",
          "the relay does not keep up or does not run: check the relay instances, the broker"
              + " and the relay lanes");
      return new Check(Level.DOWN, details);
    }
    return new Check(Level.UP, details);
  }

  private static Map<String, Object> lanes(Map<Integer, String> stopped) {
    Map<String, Object> out = new LinkedHashMap<>();
    new TreeMap<>(stopped).forEach((lane, why) -> out.put(String.valueOf(lane), why));
    return out;
  }

  private static Map<String, Object> view(QuarantinedEvent q) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("eventId", q.eventId().toString());
    m.put("lane", q.lane());
    m.put("topic", q.topic());
    m.put("key", q.key().orElse(null));
    m.put("type", q.type());
    m.put("payloadSize", q.payloadSize());
    m.put("attempts", q.attempts());
    m.put("error", q.error());
    m.put("createdAt", Values.text(q.createdAt()));
    m.put("quarantinedAt", Values.text(q.quarantinedAt()));
    return m;
  }
}
