package dev.keel.cli;

import dev.keel.event.support.Values;
import dev.keel.saga.SagaAdmin;
import dev.keel.saga.SagaAuditEntry;
import dev.keel.saga.SagaState;
import dev.keel.saga.SagaView;
import dev.keel.saga.StepLogEntry;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code keel saga}: list, show, stuck, retry, resolve and audit sagas through {@link SagaAdmin}
 * (the database from {@link DatabaseOptions}).
 *
 * <pre>
 * keel saga list    --state COMPENSATION_FAILED
 * keel saga show    0190c1e2-...
 * keel saga stuck   --older-than PT15M
 * keel saga retry   0190c1e2-... --reason "payments fixed"
 * keel saga resolve 0190c1e2-... --reason "refunded by hand"
 * </pre>
 */
@Command(
    name = "saga",
    mixinStandardHelpOptions = true,
    description = "Sagas: list, show, stuck, retry, resolve, audit.",
    subcommands = {
      SagaSubcommand.ListSagas.class,
      SagaSubcommand.Show.class,
      SagaSubcommand.Stuck.class,
      SagaSubcommand.Retry.class,
      SagaSubcommand.Resolve.class,
      SagaSubcommand.Audit.class
    })
final class SagaSubcommand implements Runnable {

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  /** Without a subcommand: prints the usage. */
  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** Where the tables are. */
  static final class Db extends DatabaseOptions {
    SagaAdmin admin() {
      return SagaAdmin.builder().dataSource(dataSource()).tableNames(tableNames()).build();
    }
  }

  abstract static class Base implements Callable<Integer> {
    @Mixin Db db;

    @Spec picocli.CommandLine.Model.CommandSpec spec;

    PrintWriter out() {
      return spec.commandLine().getOut();
    }

    /** The identity this command runs as, after checking {@code --actor} against it. */
    String operator(String declared) {
      OperatorIdentity identity = OperatorIdentity.of(KeelCli.environment(spec));
      String who = identity.confirm(declared, spec.commandLine());
      spec.commandLine().getErr().println("keel: acting as " + identity.describe());
      return who;
    }

    static void row(PrintWriter out, SagaView v) {
      out.printf(
          Locale.ROOT,
          "%s  %-20s %-19s step=%s attempt=%d progress=%s%s%n",
          v.id(),
          Values.escape(v.name()),
          v.state(),
          Values.escape(v.step()),
          v.attempt(),
          v.lastProgressAt(),
          v.failureReason() == null ? "" : "  reason=" + Values.escape(v.failureReason()));
    }

    /** One saga with its step log, every stored text escaped; the data JSON when asked. */
    static void show(PrintWriter out, SagaView v, boolean data) {
      row(out, v);
      if (v.resolvedBy() != null) {
        out.println("resolved by " + Values.escape(v.resolvedBy()));
      }
      for (StepLogEntry e : v.log()) {
        out.printf(
            Locale.ROOT,
            "  %3d %s %-20s %-18s attempt=%d %s%n",
            e.seq(),
            e.at(),
            e.step() == null ? "-" : Values.escape(e.step()),
            Values.escape(String.valueOf(e.kind())),
            e.attempt(),
            e.detail() == null ? "" : Values.escape(e.detail()));
      }
      if (data) {
        out.println(Values.escapeBlock(v.dataJson(), "  "));
      }
    }
  }

  /** {@code keel saga list}. */
  @Command(name = "list", description = "Sagas in a state (default: the operator list).")
  static final class ListSagas extends Base {
    @Option(
        names = "--state",
        description = "RUNNING, COMPENSATING, COMPLETED, COMPENSATED, FAILED, COMPENSATION_FAILED.")
    SagaState state;

    @Option(names = "--limit", defaultValue = "100", description = "At most this many.")
    int limit;

    @Override
    public Integer call() {
      SagaAdmin admin = db.admin();
      List<SagaView> sagas =
          state == null ? admin.compensationFailed() : admin.byState(state, limit);
      sagas.forEach(v -> row(out(), v));
      out().printf("%d saga(s)%n", sagas.size());
      return ExitCodes.OK;
    }
  }

  /** {@code keel saga show}. */
  @Command(name = "show", description = "One saga with its step log.")
  static final class Show extends Base {
    @Parameters(index = "0", description = "The saga id.")
    UUID id;

    @Option(names = "--data", description = "Also print the saga data JSON.")
    boolean data;

    @Override
    public Integer call() {
      SagaView v = db.admin().byId(id).orElse(null);
      if (v == null) {
        spec.commandLine().getErr().println("keel: no saga " + id);
        return ExitCodes.REFUSED;
      }
      show(out(), v, data);
      return ExitCodes.OK;
    }
  }

  /** {@code keel saga stuck}. */
  @Command(name = "stuck", description = "In-flight sagas without progress for too long.")
  static final class Stuck extends Base {
    @Option(
        names = "--older-than",
        defaultValue = "PT10M",
        description =
            "No progress for longer than this ISO-8601 duration (default ${DEFAULT-VALUE}).")
    Duration olderThan;

    @Option(names = "--limit", defaultValue = "100", description = "At most this many.")
    int limit;

    @Override
    public Integer call() {
      List<SagaView> sagas = db.admin().stuck(olderThan, limit);
      sagas.forEach(v -> row(out(), v));
      out().printf("%d stuck saga(s)%n", sagas.size());
      return ExitCodes.OK;
    }
  }

  /** {@code keel saga retry}. */
  @Command(name = "retry", description = "Retry the failed compensation of a saga (audited).")
  static final class Retry extends Base {
    @Parameters(index = "0", description = "The saga id.")
    UUID id;

    @Option(
        names = "--actor",
        description =
            "Who retries. Optional: the audit records the identity the command runs as"
                + " (KEEL_ACTOR, else SUDO_USER, else the OS user); a different --actor is refused.")
    String actor;

    @Option(names = "--reason", description = "Why.")
    String reason;

    @Override
    public Integer call() {
      db.admin().retryCompensation(id, operator(actor), reason);
      out().println("saga " + id + ": compensation retry scheduled");
      return ExitCodes.OK;
    }
  }

  /** {@code keel saga resolve}. */
  @Command(name = "resolve", description = "Record a by-hand resolution of a saga (audited).")
  static final class Resolve extends Base {
    @Parameters(index = "0", description = "The saga id.")
    UUID id;

    @Option(
        names = "--actor",
        description =
            "Who resolved it. Optional: the audit records the identity the command runs as"
                + " (KEEL_ACTOR, else SUDO_USER, else the OS user); a different --actor is refused.")
    String actor;

    @Option(names = "--reason", required = true, description = "What was done by hand.")
    String reason;

    @Override
    public Integer call() {
      String who = operator(actor);
      db.admin().resolve(id, who, reason);
      out().println("saga " + id + ": resolved by " + Values.escape(who));
      return ExitCodes.OK;
    }
  }

  /** {@code keel saga audit}. */
  @Command(name = "audit", description = "Operator actions on a saga.")
  static final class Audit extends Base {
    @Parameters(index = "0", description = "The saga id.")
    UUID id;

    @Override
    public Integer call() {
      for (SagaAuditEntry a : db.admin().audit(id)) {
        out()
            .printf(
                Locale.ROOT,
                "%s %-18s %s %s%n",
                a.at(),
                Values.escape(String.valueOf(a.action())),
                Values.quote(a.actor()),
                a.reason() == null ? "" : Values.escape(a.reason()));
      }
      return ExitCodes.OK;
    }
  }
}
