package dev.keel.cli;

import dev.keel.dlq.ActionResult;
import dev.keel.dlq.AuditEntry;
import dev.keel.dlq.DeadLetter;
import dev.keel.dlq.DeadLetterQuery;
import dev.keel.dlq.DeadLetterStatus;
import dev.keel.dlq.DeadLetterStore;
import dev.keel.dlq.DeadLetters;
import dev.keel.dlq.FailedRecord;
import dev.keel.dlq.ParkedRecord;
import dev.keel.dlq.spi.DeadLetterListener;
import dev.keel.event.EventHeaders;
import dev.keel.event.FailureClass;
import dev.keel.event.KeelConfigurationException;
import dev.keel.event.support.Values;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code keel dlq}: list, show, replay, discard and audit dead letters, and list the records parked
 * behind a key.
 */
@Command(
    name = "dlq",
    mixinStandardHelpOptions = true,
    description = "Dead letters: list, show, parked, replay, discard, audit.",
    subcommands = {
      DlqSubcommand.List.class,
      DlqSubcommand.Show.class,
      DlqSubcommand.Parked.class,
      DlqSubcommand.Replay.class,
      DlqSubcommand.Discard.class,
      DlqSubcommand.Audit.class
    })
final class DlqSubcommand {

  /** Where the tables and the broker are. */
  static final class Connection extends DatabaseOptions {
    /** The broker when {@code --bootstrap-servers} is not given. */
    static final String BOOTSTRAP_ENV = "KEEL_KAFKA_BOOTSTRAP";

    @Option(
        names = "--bootstrap-servers",
        paramLabel = "<host:port>",
        description = "Kafka bootstrap servers, for replay (default: $" + BOOTSTRAP_ENV + ").")
    String bootstrapServers;

    @Option(
        names = "--kafka-config",
        description = "Kafka client properties file (security settings); never echoed.")
    Path kafkaConfig;

    @Spec(Spec.Target.MIXEE)
    picocli.CommandLine.Model.CommandSpec spec;

    DeadLetterStore store() {
      return DeadLetterStore.builder().dataSource(dataSource()).tableNames(tableNames()).build();
    }

    DeadLetters deadLetters(
        DeadLetterStore store,
        Set<String> targets,
        double rate,
        String actor,
        DeadLetterListener listener) {
      DeadLetters.Builder b =
          DeadLetters.builder()
              .store(store)
              .allowedTargets(targets)
              .actor(() -> actor)
              .listener(listener);
      if (rate > 0) {
        b.replayRate(rate);
      }
      Map<String, Object> kafka = kafka(spec == null ? Map.of() : KeelCli.environment(spec));
      if (kafka != null) {
        b.kafka(kafka);
      }
      return b.build();
    }

    /** The Kafka client properties, or null when neither a file nor a broker was given. */
    Map<String, Object> kafka(Map<String, String> env) {
      Map<String, Object> p = new HashMap<>();
      if (kafkaConfig != null) {
        Properties file = new Properties();
        try (InputStream in = Files.newInputStream(kafkaConfig)) {
          file.load(in);
        } catch (IOException e) {
          throw new KeelConfigurationException("Cannot read --kafka-config " + kafkaConfig);
        }
        file.forEach((k, v) -> p.put(k.toString(), v));
      }
      if (bootstrapServers != null) {
        p.put("bootstrap.servers", bootstrapServers);
      } else if (!p.containsKey("bootstrap.servers")
          && env.get(BOOTSTRAP_ENV) != null
          && !env.get(BOOTSTRAP_ENV).isBlank()) {
        p.put("bootstrap.servers", env.get(BOOTSTRAP_ENV).trim());
      }
      return p.isEmpty() ? null : p;
    }
  }

  /** Which dead letters. */
  static final class Filter {
    @Option(names = "--id", description = "One dead letter.")
    Long id;

    @Option(names = "--topic", description = "Source topic.")
    String topic;

    @Option(names = "--group", description = "Consumer group.")
    String group;

    @Option(
        names = "--reason",
        description =
            "Failure class: deserialization, contract_version, validation, transient, business, unknown.")
    String reason;

    @Option(names = "--key", description = "Record key.")
    String key;

    @Option(
        names = "--since",
        description = "From this instant (2026-11-27T10:00:00Z) or age (PT2H).")
    String since;

    @Option(names = "--until", description = "Before this instant or age.")
    String until;

    @Option(
        names = "--limit",
        description =
            "At most this many (list: 100 when not given; replay and discard: every match when"
                + " not given).")
    Integer limit;

    @Option(
        names = "--after-id",
        defaultValue = "0",
        description = "Only ids above this one (paging).")
    long afterId;

    boolean empty() {
      return id == null
          && topic == null
          && group == null
          && reason == null
          && key == null
          && since == null
          && until == null;
    }

    DeadLetterQuery.Builder query() {
      DeadLetterQuery.Builder b =
          DeadLetterQuery.builder().id(id).topic(topic).group(group).key(key).afterId(afterId);
      if (limit != null) {
        b.limit(limit);
      }
      if (reason != null) {
        try {
          b.reason(FailureClass.valueOf(reason.toUpperCase(Locale.ROOT)));
        } catch (IllegalArgumentException e) {
          throw new KeelConfigurationException(
              "--reason is not a failure class: " + Values.quote(reason));
        }
      }
      b.from(instant("--since", since));
      b.to(instant("--until", until));
      return b;
    }

    private static Instant instant(String option, String value) {
      if (value == null) {
        return null;
      }
      try {
        return value.startsWith("P") || value.startsWith("p")
            ? Instant.now().minus(Duration.parse(value))
            : Instant.parse(value);
      } catch (RuntimeException e) {
        throw new KeelConfigurationException(
            option + " must be an ISO-8601 instant or duration, was " + Values.quote(value));
      }
    }
  }

  @Command(name = "list", mixinStandardHelpOptions = true, description = "List dead letters.")
  static final class List implements Callable<Integer> {
    @Spec picocli.CommandLine.Model.CommandSpec spec;
    @Mixin Connection connection;

    @ArgGroup(exclusive = false)
    Filter filter = new Filter();

    @Option(names = "--status", description = "DEAD, REPLAYED or DISCARDED.")
    DeadLetterStatus status;

    @Override
    public Integer call() {
      PrintWriter out = spec.commandLine().getOut();
      java.util.List<DeadLetter> rows =
          connection.store().find(filter.query().status(status).build());
      out.printf(
          "%-8s %-24s %-9s %-16s %-16s %-40s %-20s %-4s %s%n",
          "ID", "CREATED", "STATUS", "REASON", "GROUP", "SOURCE", "KEY", "TRY", "EXCEPTION");
      for (DeadLetter d : rows) {
        out.printf(
            "%-8d %-24s %-9s %-16s %-16s %-40s %-20s %-4d %s%n",
            d.id(),
            d.createdAt(),
            d.status(),
            d.reason().tag(),
            Values.escape(d.group()),
            Values.escape(d.topic()) + "-" + d.partition() + "@" + d.offset(),
            key(d),
            d.attempts(),
            d.exceptionClass() == null ? "-" : Values.escape(d.exceptionClass()));
      }
      out.printf("%d dead letter(s)%n", rows.size());
      return ExitCodes.OK;
    }
  }

  @Command(name = "show", mixinStandardHelpOptions = true, description = "Show one dead letter.")
  static final class Show implements Callable<Integer> {
    @Spec picocli.CommandLine.Model.CommandSpec spec;
    @Mixin Connection connection;

    @Parameters(index = "0", description = "The dead letter's id.")
    long id;

    @Option(names = "--payload", description = "Also print the payload (may hold personal data).")
    boolean payload;

    @Override
    public Integer call() {
      PrintWriter out = spec.commandLine().getOut();
      DeadLetterStore store = connection.store();
      DeadLetter d = store.get(id).orElse(null);
      if (d == null) {
        spec.commandLine().getErr().println("keel: no dead letter " + id);
        return ExitCodes.REFUSED;
      }
      out.println("id:              " + d.id());
      out.println("status:          " + d.status() + " (replayed " + d.replayCount() + "x)");
      out.println(
          "source:          " + Values.escape(d.topic()) + "-" + d.partition() + "@" + d.offset());
      out.println("group:           " + Values.escape(d.group()));
      out.println(
          "key:             "
              + key(d)
              + (d.keyRedacted() ? ": replay refuses this dead letter" : ""));
      out.println("event id:        " + (d.eventId() == null ? "-" : d.eventId()));
      out.println("reason:          " + d.reason().tag());
      out.println(
          "exception:       "
              + (d.exceptionClass() == null ? "-" : Values.escape(d.exceptionClass())));
      out.println(
          "message:         "
              + (d.exceptionMessage() == null ? "-" : Values.quote(d.exceptionMessage())));
      out.println("attempts:        " + d.attempts());
      out.println("first failure:   " + d.firstFailure());
      out.println("last failure:    " + d.lastFailure());
      out.println("dead-lettered:   " + d.createdAt());
      out.println("headers:");
      for (FailedRecord.Header h : d.headers()) {
        out.println("  " + Values.escape(h.name()) + ": " + render(h.value(), 200));
      }
      if (payload) {
        out.println("payload:");
        out.println(render(d.payload(), Integer.MAX_VALUE)); // escaped, each line indented
      } else {
        out.println(
            "payload:         "
                + (d.payload() == null ? 0 : d.payload().length)
                + " bytes (--payload to print)");
      }
      if (d.stackTrace() != null) {
        out.println("stack trace:");
        out.println(Values.escapeBlock(d.stackTrace(), "  "));
      }
      return ExitCodes.OK;
    }

    static String render(byte[] bytes, int max) {
      if (bytes == null) {
        return "null";
      }
      try {
        String s =
            StandardCharsets.UTF_8
                .newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .decode(ByteBuffer.wrap(bytes))
                .toString();
        return max == Integer.MAX_VALUE
            ? Values.escapeBlock(s, "  ")
            : Values.quote(s.length() > max ? s.substring(0, max) : s);
      } catch (CharacterCodingException e) {
        return "base64:" + Base64.getEncoder().encodeToString(bytes);
      }
    }
  }

  @Command(
      name = "parked",
      mixinStandardHelpOptions = true,
      description =
          "List the records parked behind a key (ordered mode), in release order, a page at a"
              + " time.")
  static final class Parked implements Callable<Integer> {
    @Spec picocli.CommandLine.Model.CommandSpec spec;
    @Mixin Connection connection;

    @Option(names = "--group", required = true, description = "Consumer group.")
    String group;

    @Option(names = "--topic", required = true, description = "Source topic.")
    String topic;

    @Option(names = "--key", required = true, description = "Record key.")
    String key;

    @Option(
        names = "--limit",
        defaultValue = "100",
        description = "At most this many, 1 to 10000 (default ${DEFAULT-VALUE}).")
    int limit;

    @Option(
        names = "--after-id",
        description = "Only records after this id: the last id of the previous page.")
    Long afterId;

    @Option(names = "--payload", description = "Also print payloads (may hold personal data).")
    boolean payload;

    @Override
    public Integer call() {
      if (limit < 1 || limit > DeadLetterQuery.MAX_LIMIT) {
        throw new KeelConfigurationException(
            "--limit must be between 1 and " + DeadLetterQuery.MAX_LIMIT + ", was " + limit);
      }
      PrintWriter out = spec.commandLine().getOut();
      DeadLetterStore store = connection.store();
      java.util.List<ParkedRecord> rows =
          afterId == null
              ? store.parked(group, topic, key, limit)
              : store.parked(group, topic, key, afterId, limit);
      out.printf("%-20s %-24s %-40s %-8s %s%n", "ID", "PARKED", "SOURCE", "BYTES", "EVENT ID");
      for (ParkedRecord p : rows) {
        FailedRecord r = p.record();
        String eventId = r.singleHeader(EventHeaders.EVENT_ID);
        out.printf(
            "%-20d %-24s %-40s %-8d %s%n",
            p.id(),
            p.parkedAt(),
            Values.escape(r.topic()) + "-" + r.partition() + "@" + r.offset(),
            r.value() == null ? 0 : r.value().length,
            eventId == null ? "-" : Values.quote(eventId));
        if (payload) {
          out.println(Show.render(r.value(), Integer.MAX_VALUE));
        }
      }
      out.printf("%d parked record(s)%n", rows.size());
      if (!rows.isEmpty()) {
        long last = rows.get(rows.size() - 1).id();
        if (!store.parked(group, topic, key, last, 1).isEmpty()) {
          out.printf("more parked records follow: --after-id %d%n", last);
        }
      }
      return ExitCodes.OK;
    }
  }

  /** Options shared by replay and discard. */
  abstract static class Action implements Callable<Integer> {
    @Spec picocli.CommandLine.Model.CommandSpec spec;
    @Mixin Connection connection;

    @ArgGroup(exclusive = false)
    Filter filter = new Filter();

    @Option(
        names = "--actor",
        description =
            "Who acts. Optional: the audit records the identity the command runs as (KEEL_ACTOR,"
                + " else SUDO_USER, else the OS user), and a different --actor is refused.")
    String actor;

    @Option(names = "--all", description = "Act on every DEAD dead letter when no filter is given.")
    boolean all;

    @Option(names = "--dry-run", description = "Only list what would be affected.")
    boolean dryRun;

    @Override
    public Integer call() {
      PrintWriter out = spec.commandLine().getOut();
      if (filter.empty() && !all) {
        spec.commandLine()
            .getErr()
            .println(
                "keel: give a filter (--id, --topic, --group, --reason, --key, --since, --until) or --all");
        return ExitCodes.USAGE;
      }
      DeadLetterStore store = connection.store();
      DeadLetterQuery query = filter.query().build();
      DeadLetterQuery dead = query.toBuilder().status(DeadLetterStatus.DEAD).build();
      if (dryRun) {
        long matched = store.count(dead);
        int shown = 0;
        long after = dead.afterId();
        int max = query.limited() ? query.limit() : Integer.MAX_VALUE;
        while (shown < max) {
          int size = Math.min(DeadLetterQuery.MAX_LIMIT, max - shown);
          java.util.List<DeadLetter> rows =
              store.find(dead.toBuilder().afterId(after).limit(size).build());
          for (DeadLetter d : rows) {
            String refusal = refusal(d);
            out.println(
                (refusal == null ? "would " + name() : "would refuse (" + refusal + ")")
                    + " "
                    + Values.escape(d.toString()));
          }
          shown += rows.size();
          if (rows.size() < size) {
            break;
          }
          after = rows.get(rows.size() - 1).id();
        }
        out.printf("%d of %d matching dead letter(s) would be affected%n", shown, matched);
        return ExitCodes.OK;
      }
      check();
      OperatorIdentity identity = OperatorIdentity.of(KeelCli.environment(spec));
      String who = identity.confirm(actor, spec.commandLine());
      spec.commandLine().getErr().println("keel: acting as " + identity.describe());
      ReplayProgress progress =
          new ReplayProgress(
              spec.commandLine().getErr(), KeelCli.terminal(spec), ReplayProgress.SYSTEM_NANOS);
      ActionResult r;
      try (DeadLetters ops = deadLetters(store, who, progress)) {
        r = act(ops, query, who);
      } finally {
        progress.finish();
      }
      for (ActionResult.Refusal refused : r.refused()) {
        out.println("refused dead letter " + refused.id() + ": " + refused.reason());
      }
      out.printf(
          "%s: %d of %d matching dead letter(s), %d parked record(s), %d skipped%s; audit id %d%n",
          r.action(),
          r.records(),
          r.matched(),
          r.parkedRecords(),
          r.skipped(),
          r.refused().isEmpty() ? "" : ", " + r.refused().size() + " refused",
          r.auditId());
      return r.refused().isEmpty() ? ExitCodes.OK : ExitCodes.REFUSED;
    }

    abstract String name();

    /** Why this action would leave a dead letter alone, or null. */
    String refusal(DeadLetter d) {
      return null;
    }

    /** Checks the action's own flags before anything is done; throws naming the flag. */
    void check() {}

    abstract DeadLetters deadLetters(
        DeadLetterStore store, String actor, DeadLetterListener progress);

    abstract ActionResult act(DeadLetters ops, DeadLetterQuery query, String actor);
  }

  @Command(
      name = "replay",
      mixinStandardHelpOptions = true,
      description =
          "Re-publish DEAD dead letters (same key and keel-event-id) to their topic or an"
              + " allow-listed target, then release records parked behind their keys. A dead"
              + " letter whose key was redacted is refused (exit code 1).")
  static final class Replay extends Action {
    @Option(
        names = "--target",
        description =
            "Replay to this topic instead; allowed only when the deployment lists it in "
                + KeelCli.ALLOWED_TARGETS_ENV
                + " (comma-separated).")
    String target;

    @Option(
        names = "--rate",
        defaultValue = "50",
        description = "Records per second (default ${DEFAULT-VALUE}).")
    double rate;

    @Override
    String name() {
      return "replay";
    }

    @Override
    String refusal(DeadLetter d) {
      return d.keyRedacted() ? "key redacted" : null;
    }

    private Set<String> allowed() {
      Set<String> allowed = new LinkedHashSet<>();
      String listed = KeelCli.environment(spec).get(KeelCli.ALLOWED_TARGETS_ENV);
      if (listed != null) {
        for (String t : listed.split(",")) {
          if (!t.isBlank()) {
            allowed.add(t.trim());
          }
        }
      }
      return allowed;
    }

    /** The flags' rules, said in the flags' names rather than in the API's. */
    @Override
    void check() {
      if (!(rate >= 0.1 && rate <= 100_000)) {
        throw new KeelConfigurationException(
            "--rate must be between 0.1 and 100000 records per second, was " + rate);
      }
      if (target != null && !allowed().contains(target)) {
        throw new KeelConfigurationException(
            "--target "
                + Values.quote(target)
                + " is not allowed: the deployment lists the topics a replay may target in "
                + KeelCli.ALLOWED_TARGETS_ENV
                + " (comma-separated), now "
                + allowed());
      }
      Map<String, Object> kafka = connection.kafka(KeelCli.environment(spec));
      if (kafka == null || !kafka.containsKey("bootstrap.servers")) {
        throw new KeelConfigurationException(
            "replay needs the broker: give --bootstrap-servers <host:port> or set "
                + Connection.BOOTSTRAP_ENV
                + " (or bootstrap.servers in --kafka-config)");
      }
    }

    @Override
    DeadLetters deadLetters(DeadLetterStore store, String actor, DeadLetterListener progress) {
      return connection.deadLetters(store, allowed(), rate, actor, progress);
    }

    @Override
    ActionResult act(DeadLetters ops, DeadLetterQuery query, String actor) {
      return ops.replay(query, actor, target);
    }
  }

  @Command(
      name = "discard",
      mixinStandardHelpOptions = true,
      description = "Mark DEAD dead letters DISCARDED and drop records parked behind their keys.")
  static final class Discard extends Action {
    @Override
    String name() {
      return "discard";
    }

    @Override
    DeadLetters deadLetters(DeadLetterStore store, String actor, DeadLetterListener progress) {
      return connection.deadLetters(store, Set.of(), 0, actor, progress);
    }

    @Override
    ActionResult act(DeadLetters ops, DeadLetterQuery query, String actor) {
      return ops.discard(query, actor);
    }
  }

  @Command(name = "audit", mixinStandardHelpOptions = true, description = "Show operator actions.")
  static final class Audit implements Callable<Integer> {
    @Spec picocli.CommandLine.Model.CommandSpec spec;
    @Mixin Connection connection;

    @Option(
        names = "--limit",
        defaultValue = "20",
        description = "At most this many (default ${DEFAULT-VALUE}).")
    int limit;

    @Override
    public Integer call() {
      PrintWriter out = spec.commandLine().getOut();
      for (AuditEntry a : connection.store().audit(limit)) {
        out.printf(
            "%d %s %s by %s: %d dead letter(s), %d parked%s [%s] %s%n",
            a.id(),
            a.at(),
            a.action(),
            Values.quote(a.actor()),
            a.records(),
            a.parkedRecords(),
            a.target() == null ? "" : " -> " + Values.escape(a.target()),
            Values.escape(a.selection()),
            Values.escape(a.outcome()));
      }
      return ExitCodes.OK;
    }
  }

  /** A dead letter's stored key as operators see it, marked when it was redacted. */
  private static String key(DeadLetter d) {
    String shown = d.key() == null ? "-" : Values.quote(d.keyShown());
    return d.keyRedacted() ? shown + " (redacted)" : shown;
  }

  private DlqSubcommand() {}
}
