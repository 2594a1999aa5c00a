package dev.keel.cli;

import dev.keel.event.support.Values;
import dev.keel.outbox.OutboxAdmin;
import dev.keel.outbox.OutboxAuditEntry;
import dev.keel.outbox.QuarantinedEvent;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code keel outbox}: the backlog, quarantined rows, their retry or discard, stopped lanes and the
 * audit, through {@link OutboxAdmin}; every action is audited as the identity the command runs as
 * ({@link OperatorIdentity}).
 *
 * <pre>
 * keel outbox status
 * keel outbox quarantined --limit 50
 * keel outbox retry 0190c1e3-...
 * keel outbox discard 0190c1e3-...
 * keel outbox resume 3
 * keel outbox audit
 * </pre>
 */
@Command(
    name = "outbox",
    mixinStandardHelpOptions = true,
    description = "Outbox: status, quarantined, retry, discard, resume, audit.",
    subcommands = {
      OutboxSubcommand.Status.class,
      OutboxSubcommand.Quarantined.class,
      OutboxSubcommand.Retry.class,
      OutboxSubcommand.Discard.class,
      OutboxSubcommand.Resume.class,
      OutboxSubcommand.Audit.class
    })
final class OutboxSubcommand implements Runnable {

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  /** Without a subcommand: prints the usage. */
  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  abstract static class Base implements Callable<Integer> {
    @Mixin DatabaseOptions db;

    @Spec picocli.CommandLine.Model.CommandSpec spec;

    PrintWriter out() {
      return spec.commandLine().getOut();
    }

    OutboxAdmin admin() {
      return OutboxAdmin.builder().dataSource(db.dataSource()).tableNames(db.tableNames()).build();
    }

    /** The identity this command runs as, after checking {@code --actor} against it. */
    String operator(String declared) {
      OperatorIdentity identity = OperatorIdentity.of(KeelCli.environment(spec));
      String who = identity.confirm(declared, spec.commandLine());
      spec.commandLine().getErr().println("keel: acting as " + identity.describe());
      return who;
    }

    /** Ends an action: 0 when it changed something, 1 (refused) with the reason otherwise. */
    int done(boolean changed, String what, String notDone) {
      if (changed) {
        out().println(what);
        return ExitCodes.OK;
      }
      spec.commandLine().getErr().println("keel: " + notDone);
      return ExitCodes.REFUSED;
    }
  }

  abstract static class Action extends Base {
    @Option(
        names = "--actor",
        description =
            "Who acts. Optional: the audit records the identity the command runs as (KEEL_ACTOR,"
                + " else SUDO_USER, else the OS user); a different --actor is refused.")
    String actor;
  }

  /** {@code keel outbox status}. */
  @Command(name = "status", description = "Rows waiting, the oldest one's age, stopped lanes.")
  static final class Status extends Base {
    @Override
    public Integer call() {
      OutboxAdmin admin = admin();
      out().println("pending:      " + admin.pending());
      out()
          .println(
              "oldest:       "
                  + admin.oldestAge().map(Duration::toString).orElse("-")
                  + " (age of the oldest waiting row)");
      Map<Integer, String> stopped = admin.stoppedLanes();
      out().println("stopped lanes: " + stopped.size());
      stopped.forEach(
          (lane, why) -> out().printf(Locale.ROOT, "  lane %d: %s%n", lane, Values.escape(why)));
      return ExitCodes.OK;
    }
  }

  /** {@code keel outbox quarantined}. */
  @Command(name = "quarantined", description = "Rows set aside, oldest first (payload not loaded).")
  static final class Quarantined extends Base {
    @Option(
        names = "--limit",
        defaultValue = "100",
        description = "At most this many (default ${DEFAULT-VALUE}).")
    int limit;

    @Override
    public Integer call() {
      List<QuarantinedEvent> rows = admin().quarantined(limit);
      out()
          .printf(
              Locale.ROOT,
              "%-36s %-5s %-24s %-24s %-24s %-4s %s%n",
              "EVENT ID",
              "LANE",
              "TOPIC",
              "TYPE",
              "QUARANTINED",
              "TRY",
              "ERROR");
      for (QuarantinedEvent q : rows) {
        out()
            .printf(
                Locale.ROOT,
                "%-36s %-5d %-24s %-24s %-24s %-4d %s%n",
                q.eventId(),
                q.lane(),
                Values.escape(q.topic()),
                Values.escape(q.type()) + " v" + q.contractVersion(),
                q.quarantinedAt(),
                q.attempts(),
                Values.quote(q.error()));
      }
      out().printf("%d quarantined event(s)%n", rows.size());
      return ExitCodes.OK;
    }
  }

  /** {@code keel outbox retry}. */
  @Command(
      name = "retry",
      description = "Send a quarantined row back to the end of its lane, same event id (audited).")
  static final class Retry extends Action {
    @Parameters(index = "0", description = "The quarantined event's id.")
    UUID eventId;

    @Override
    public Integer call() {
      OutboxAdmin admin = admin();
      return done(
          admin.retry(eventId, operator(actor)),
          "event " + eventId + ": back in its lane",
          "event " + eventId + " is not quarantined (audited as not quarantined)");
    }
  }

  /** {@code keel outbox discard}. */
  @Command(name = "discard", description = "Delete a quarantined row for good (audited).")
  static final class Discard extends Action {
    @Parameters(index = "0", description = "The quarantined event's id.")
    UUID eventId;

    @Override
    public Integer call() {
      OutboxAdmin admin = admin();
      return done(
          admin.discard(eventId, operator(actor)),
          "event " + eventId + ": discarded",
          "event " + eventId + " is not quarantined (audited as not quarantined)");
    }
  }

  /** {@code keel outbox resume}. */
  @Command(
      name = "resume",
      description = "Let a stopped strict lane flow again, after retry or discard (audited).")
  static final class Resume extends Action {
    @Parameters(index = "0", description = "The lane.")
    int lane;

    @Override
    public Integer call() {
      OutboxAdmin admin = admin();
      return done(
          admin.resumeLane(lane, operator(actor)),
          "lane " + lane + ": resumed",
          "lane " + lane + " is not stopped (audited as not stopped)");
    }
  }

  /** {@code keel outbox audit}. */
  @Command(name = "audit", description = "Operator actions on the outbox, newest first.")
  static final class Audit extends Base {
    @Option(
        names = "--limit",
        defaultValue = "20",
        description = "At most this many (default ${DEFAULT-VALUE}).")
    int limit;

    @Override
    public Integer call() {
      for (OutboxAuditEntry a : admin().audit(limit)) {
        out()
            .printf(
                Locale.ROOT,
                "%d %s %s by %s: %s%s%n",
                a.id(),
                a.at(),
                Values.escape(a.action()),
                Values.quote(a.actor()),
                a.eventId()
                    .map(id -> "event " + id)
                    .orElse(a.lane().map(l -> "lane " + l).orElse("-")),
                " [" + Values.escape(a.outcome()) + "]");
      }
      return ExitCodes.OK;
    }
  }
}
