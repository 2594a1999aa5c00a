package dev.keel.spring.boot.autoconfigure.actuate.internal;

import dev.keel.saga.SagaAdmin;
import dev.keel.saga.SagaAuditEntry;
import dev.keel.saga.SagaView;
import dev.keel.saga.StepLogEntry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * Sagas: those failed in compensation and those stuck; retry or resolve a failed compensation
 * (through {@link SagaAdmin}).
 */
public final class SagaSection implements KeelSection {
  static final String KIND = "saga";

  private final SagaAdmin admin;
  private final Duration stuckThreshold;

  /**
   * The section.
   *
   * @param admin the saga operator API
   * @param stuckThreshold a saga in flight without progress for longer than this is stuck
   */
  public SagaSection(SagaAdmin admin, Duration stuckThreshold) {
    this.admin = Objects.requireNonNull(admin, "admin");
    this.stuckThreshold = Objects.requireNonNull(stuckThreshold, "stuckThreshold");
  }

  @Override
  public String name() {
    return "sagas";
  }

  @Override
  public Set<String> kinds() {
    return Set.of(KIND);
  }

  @Override
  public Map<String, Object> summary(int limit) {
    Map<String, Object> out = new LinkedHashMap<>();
    List<SagaView> failed = admin.compensationFailed();
    out.put("compensationFailed", failed.size());
    out.put("compensationFailedSagas", views(failed, limit));
    out.put("stuck", admin.countStuck(stuckThreshold));
    out.put("stuckThreshold", Values.text(stuckThreshold));
    out.put("stuckSagas", views(admin.stuck(stuckThreshold, limit), limit));
    return out;
  }

  @Override
  public Optional<Map<String, Object>> detail(String kind, String id) {
    UUID sagaId = Values.uuid(kind, id);
    return admin
        .byId(sagaId)
        .map(
            s -> {
              Map<String, Object> m = view(s);
              m.put("createdAt", Values.text(s.createdAt()));
              m.put("deadline", Values.text(s.deadline()));
              List<Map<String, Object>> log = new ArrayList<>();
              for (StepLogEntry e : s.log()) {
                Map<String, Object> l = new LinkedHashMap<>();
                l.put("seq", e.seq());
                l.put("step", e.step());
                l.put("kind", e.kind().name());
                l.put("attempt", e.attempt());
                l.put("at", Values.text(e.at()));
                l.put("detail", e.detail());
                log.add(l);
              }
              m.put("log", log);
              List<Map<String, Object>> audit = new ArrayList<>();
              for (SagaAuditEntry a : admin.audit(sagaId)) {
                Map<String, Object> l = new LinkedHashMap<>();
                l.put("action", a.action());
                l.put("actor", a.actor());
                l.put("reason", a.reason());
                l.put("at", Values.text(a.at()));
                audit.add(l);
              }
              m.put("audit", audit);
              return m;
            });
  }

  @Override
  public Map<String, Object> operate(
      String kind, String id, String action, String actor, String reason) {
    UUID sagaId = Values.uuid(kind, id);
    switch (action) {
      case "retry-compensation" -> admin.retryCompensation(sagaId, actor, reason);
      case "resolve" -> {
        if (reason == null || reason.isBlank()) {
          throw new IllegalArgumentException(
              "resolve needs a reason: what was undone by hand ({\"reason\": \"...\"})");
        }
        admin.resolve(sagaId, actor, reason);
      }
      default -> throw Values.unknownAction(kind, action, "retry-compensation, resolve");
    }
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("kind", kind);
    out.put("id", id);
    out.put("action", action);
    out.put("actor", actor);
    out.put("reason", reason);
    out.put("state", admin.byId(sagaId).map(s -> s.state().name()).orElse(null));
    return out;
  }

  @Override
  public Map<String, Supplier<Check>> checks() {
    return Map.of("sagas", this::check);
  }

  private Check check() {
    List<SagaView> failed = admin.compensationFailed();
    long stuck = admin.countStuck(stuckThreshold);
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("compensationFailed", failed.size());
    details.put("stuck", stuck);
    details.put("stuckThreshold", Values.text(stuckThreshold));
    if (failed.isEmpty() && stuck == 0) {
      return new Check(Level.UP, details);
    }
    if (!failed.isEmpty()) {
      details.put("compensationFailedSagas", views(failed, 10));
    }
    if (stuck > 0) {
      details.put("stuckSagas", views(admin.stuck(stuckThreshold, 10), 10));
    }
    details.put(
        "action",
        "a saga failed in compensation leaves effects undone: fix the participant, then"
            + " retry-compensation, or undo by hand and resolve; a stuck saga waits for a reply"
            + " or a participant that does not answer");
    return new Check(Level.OUT_OF_SERVICE, details);
  }

  private static List<Map<String, Object>> views(List<SagaView> sagas, int limit) {
    List<Map<String, Object>> out = new ArrayList<>();
    for (SagaView s : sagas) {
      if (out.size() >= limit) {
        break;
      }
      out.add(view(s));
    }
    return out;
  }

  private static Map<String, Object> view(SagaView s) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", s.id().toString());
    m.put("name", s.name());
    m.put("state", s.state().name());
    m.put("step", s.step());
    m.put("phase", s.phase() == null ? null : s.phase().name());
    m.put("attempt", s.attempt());
    m.put("failureReason", s.failureReason());
    m.put("lastProgressAt", Values.text(s.lastProgressAt()));
    m.put("updatedAt", Values.text(s.updatedAt()));
    return m;
  }
}
