package dev.keel.advisor.internal.yaml;

import dev.keel.advisor.ConsumerSpec;
import dev.keel.advisor.IdempotencySpec;
import dev.keel.advisor.RetrySpec;
import dev.keel.advisor.SagaSpec;
import dev.keel.advisor.SagaStepSpec;
import dev.keel.advisor.SyncCall;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.ScalarNode;

/** Reads consumers, sagas and synchronous dependencies. */
final class FlowReader {
  static final Set<String> CONSUMER =
      Set.of(
          "name",
          "service",
          "group",
          "consumes",
          "ordering",
          "idempotency",
          "retry",
          "poison",
          "replayWindow",
          "calls",
          "description");
  static final Set<String> SAGA =
      Set.of("name", "orchestrator", "trigger", "timeout", "description", "steps");
  private static final Set<String> STEP =
      Set.of("name", "command", "onSuccess", "onFailure", "compensation", "compensated", "timeout");
  private static final Set<String> IDEMPOTENCY = Set.of("strategy", "key", "window");
  private static final Set<String> RETRY = Set.of("mode", "maxAttempts", "backoff", "tiers");
  private static final Set<String> BACKOFF = Set.of("initial", "multiplier", "max", "jitter");
  private static final Set<String> SYNC =
      Set.of(
          "caller",
          "callee",
          "operation",
          "transport",
          "immediate",
          "sideEffect",
          "replacedBy",
          "description");
  private static final Duration DEFAULT_DEDUPE_WINDOW = Duration.ofDays(7);
  private static final Duration DEFAULT_INITIAL = Duration.ofMillis(100);
  private static final Duration DEFAULT_MAX = Duration.ofSeconds(10);

  private final YamlTopologyReader reader;

  FlowReader(YamlTopologyReader reader) {
    this.reader = reader;
  }

  ConsumerSpec consumer(YamlMap m, String name) {
    String group = m.string("group");
    if (!m.has("idempotency")) {
      throw new YamlError(
          m.line(), m.what() + " has no idempotency (none, dedupe-table, business-key, natural)");
    }
    return new ConsumerSpec(
        name,
        m.string("service"),
        group,
        m.strings("consumes"),
        m.optEnum("ordering", ConsumerSpec.Ordering.class).orElse(ConsumerSpec.Ordering.NONE),
        idempotency(m),
        retry(m),
        m.optEnum("poison", ConsumerSpec.Poison.class).orElse(ConsumerSpec.Poison.DEAD_LETTER),
        m.optDuration("replayWindow").orElse(Duration.ZERO),
        m.strings("calls"),
        m.optString("description").orElse(""));
  }

  private IdempotencySpec idempotency(YamlMap consumer) {
    Node n = consumer.node("idempotency");
    String what = "idempotency of " + consumer.what();
    IdempotencySpec.Strategy strategy;
    YamlMap m = null;
    if (n instanceof ScalarNode s) {
      strategy =
          YamlValues.enumValue(IdempotencySpec.Strategy.class, s.getValue(), YamlMap.line(n), what);
    } else {
      m = YamlMap.of(n, what, IDEMPOTENCY);
      YamlMap mm = m;
      strategy =
          m.optEnum("strategy", IdempotencySpec.Strategy.class)
              .orElseThrow(() -> new YamlError(mm.line(), mm.what() + " has no strategy"));
    }
    boolean keepsRows =
        strategy == IdempotencySpec.Strategy.DEDUPE_TABLE
            || strategy == IdempotencySpec.Strategy.BUSINESS_KEY;
    Duration dflt = keepsRows ? DEFAULT_DEDUPE_WINDOW : Duration.ZERO;
    String key = m == null ? null : m.optString("key").orElse(null);
    Duration window = m == null ? dflt : m.optDuration("window").orElse(dflt);
    YamlMap at = m == null ? consumer : m;
    return YamlTopologyReader.guard(at, () -> new IdempotencySpec(strategy, key, window));
  }

  private RetrySpec retry(YamlMap consumer) {
    if (!consumer.has("retry")) {
      return RetrySpec.none();
    }
    Node n = consumer.node("retry");
    String what = "retry of " + consumer.what();
    if (n instanceof ScalarNode s) {
      RetrySpec.Mode mode =
          YamlValues.enumValue(RetrySpec.Mode.class, s.getValue(), YamlMap.line(n), what);
      if (mode != RetrySpec.Mode.NONE) {
        throw new YamlError(YamlMap.line(n), what + ": only 'none' may be written alone");
      }
      return RetrySpec.none();
    }
    YamlMap m = YamlMap.of(n, what, RETRY);
    RetrySpec.Mode mode =
        m.optEnum("mode", RetrySpec.Mode.class)
            .orElseThrow(() -> new YamlError(m.line(), m.what() + " has no mode"));
    for (String key : List.of("maxAttempts", "backoff")) {
      if (mode != RetrySpec.Mode.IN_PLACE && m.has(key)) {
        throw new YamlError(m.line(key), m.what() + ": " + key + " applies to in-place retry only");
      }
    }
    if (mode != RetrySpec.Mode.NON_BLOCKING && m.has("tiers")) {
      throw new YamlError(m.line("tiers"), m.what() + ": tiers apply to non-blocking retry only");
    }
    if (mode == RetrySpec.Mode.NONE) {
      return RetrySpec.none();
    }
    List<Duration> tiers = new ArrayList<>();
    for (Node t : m.list("tiers")) {
      String text = t instanceof ScalarNode s ? s.getValue() : "";
      tiers.add(YamlValues.duration(text, YamlMap.line(t), what + ": tiers[]"));
    }
    if (mode == RetrySpec.Mode.NON_BLOCKING) {
      return YamlTopologyReader.guard(m, () -> RetrySpec.nonBlocking(tiers));
    }
    int attempts = m.optInt("maxAttempts").orElse(3);
    YamlMap b = m.optMap("backoff", "backoff of " + consumer.what(), BACKOFF).orElse(null);
    Duration initial = b == null ? null : b.optDuration("initial").orElse(null);
    Duration max = b == null ? null : b.optDuration("max").orElse(null);
    double multiplier = b == null ? 2.0 : b.optDouble("multiplier").orElse(2.0);
    double jitter = b == null ? 0.2 : b.optDouble("jitter").orElse(0.2);
    return YamlTopologyReader.guard(
        m,
        () ->
            new RetrySpec(
                mode,
                attempts,
                initial == null ? DEFAULT_INITIAL : initial,
                multiplier,
                max == null ? DEFAULT_MAX : max,
                jitter,
                List.of()));
  }

  SagaSpec saga(YamlMap m, String name) {
    List<SagaStepSpec> steps = new ArrayList<>();
    int i = 0;
    for (Node n : m.list("steps")) {
      i++;
      String what =
          YamlMap.peekName(n).map(x -> "step '" + x + "'").orElse("step #" + i)
              + " of saga '"
              + name
              + "'";
      YamlMap s = YamlMap.of(n, what, STEP);
      String step = s.string("name");
      reader.remember("step", name + "/" + step, s);
      steps.add(
          YamlTopologyReader.guard(
              s,
              () ->
                  new SagaStepSpec(
                      step,
                      s.string("command"),
                      s.string("onSuccess"),
                      s.optString("onFailure"),
                      s.optString("compensation"),
                      s.optString("compensated"),
                      s.optDuration("timeout"))));
    }
    return new SagaSpec(
        name,
        m.string("orchestrator"),
        m.optString("trigger"),
        m.optDuration("timeout"),
        steps,
        m.optString("description").orElse(""));
  }

  List<SyncCall> synchronous(List<Node> nodes) {
    List<SyncCall> out = new ArrayList<>();
    int i = 0;
    for (Node n : nodes) {
      YamlMap m = YamlMap.of(n, "synchronous dependency #" + (++i), SYNC);
      SyncCall call =
          YamlTopologyReader.guard(
              m,
              () ->
                  new SyncCall(
                      m.string("caller"),
                      m.string("callee"),
                      m.string("operation"),
                      m.optEnum("transport", SyncCall.Transport.class)
                          .orElse(SyncCall.Transport.HTTP),
                      m.bool("immediate", false),
                      m.bool("sideEffect", false),
                      m.optString("replacedBy"),
                      m.optString("description").orElse("")));
      reader.remember("synchronous", call.id(), m);
      out.add(call);
    }
    return out;
  }
}
