package dev.keel.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.dlq.DeadLetterPublisher;
import dev.keel.dlq.DeadLetterQuery;
import dev.keel.dlq.DeadLetterStatus;
import dev.keel.dlq.DeadLetterStore;
import dev.keel.dlq.FailedRecord;
import dev.keel.event.FailureClass;
import dev.keel.event.sql.SchemaInstaller;
import dev.keel.outbox.OutboxAdmin;
import dev.keel.retry.Failure;
import dev.keel.saga.SagaAdmin;
import dev.keel.saga.SagaState;
import dev.keel.test.IsolatedDatabase;
import dev.keel.test.KafkaBroker;
import dev.keel.test.KeelTest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.Test;

/**
 * Every {@code keel ...} line of the root README's fenced code blocks, run as written through the
 * executable jar through {@code bin/keel} (which runs {@code java -jar cli/target/keel.jar}), from
 * the repository root, with the environment the README tells the operator to set pointing at the
 * embedded PostgreSQL and broker, over data shaped like the README's examples: each exits 0. The
 * README's exit-code table is {@link ExitCodes}'s.
 */
@KeelTest
class ReadmeCommandsIT {
  private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
  private static final Pattern EXPORT = Pattern.compile("^export (KEEL_[A-Z_]+)=");
  private static final Pattern CODE_ROW = Pattern.compile("^\\| (\\d) \\| (.+) \\|$");

  /** The ids the README's examples name. */
  private static final UUID SAGA_RETRIED = UUID.fromString("0190c1e2-7a4b-7c3d-9e5f-0a1b2c3d4e5f");

  private static final UUID SAGA_RESOLVED = UUID.fromString("0190c1e2-7a4b-7c3d-9e5f-0a1b2c3d4e60");
  private static final UUID EVENT_RETRIED = UUID.fromString("0190c1e3-5b2a-7d4e-8f60-1a2b3c4d5e6f");
  private static final UUID EVENT_DISCARDED =
      UUID.fromString("0190c1e3-5b2a-7d4e-8f60-1a2b3c4d5e70");

  private record Readme(List<String> commands, Set<String> exports, Map<String, String> codes) {}

  @Test
  void everyKeelCommandOfTheReadmeRunsAsWritten(KafkaBroker broker, IsolatedDatabase db)
      throws Exception {
    Readme readme = readme();
    assertThat(readme.exports())
        .containsExactlyInAnyOrder(
            DatabaseOptions.URL_ENV,
            DatabaseOptions.USER_ENV,
            DatabaseOptions.PASSWORD_ENV,
            DlqSubcommand.Connection.BOOTSTRAP_ENV);
    assertThat(readme.codes()).isEqualTo(ExitCodes.table());
    assertThat(readme.commands())
        .hasSizeGreaterThan(20)
        .contains("keel --version", "keel --help")
        .anyMatch(c -> c.startsWith("keel dlq replay"))
        .anyMatch(c -> c.startsWith("keel saga"))
        .anyMatch(c -> c.startsWith("keel outbox"))
        .anyMatch(c -> c.startsWith("keel advisor"));

    seed(broker, db);
    Map<String, String> env = new HashMap<>(System.getenv());
    env.keySet().removeIf(k -> k.startsWith("KEEL_"));
    env.put(DatabaseOptions.URL_ENV, db.jdbcUrl());
    env.put(DatabaseOptions.USER_ENV, db.user());
    env.put(
        DatabaseOptions.PASSWORD_ENV,
        db.password() == null || db.password().isEmpty() ? "unused" : db.password());
    env.put(DlqSubcommand.Connection.BOOTSTRAP_ENV, broker.bootstrapServers());

    for (String command : readme.commands()) {
      List<String> args = words(command);
      assertThat(args.get(0)).isEqualTo("keel");
      Run r = java(env, args.subList(1, args.size()));
      assertThat(r.code()).as("%s%n%s", command, r.output()).isZero();
      if (command.equals("keel --version")) {
        // the jar's version is the build's (filtered into version.properties)
        assertThat(r.output().strip())
            .isEqualTo("keel " + System.getProperty("keel.project.version"));
      } else if (command.equals("keel --help")) {
        ExitCodes.table().values().forEach(meaning -> assertThat(r.output()).contains(meaning));
      }
    }

    // what the commands did
    DeadLetterStore store = DeadLetterStore.builder().dataSource(db.dataSource()).build();
    assertThat(store.get(1).orElseThrow().status()).isEqualTo(DeadLetterStatus.REPLAYED);
    assertThat(store.get(2).orElseThrow().status()).isEqualTo(DeadLetterStatus.DISCARDED);
    SagaAdmin sagas = SagaAdmin.builder().dataSource(db.dataSource()).build();
    assertThat(sagas.byId(SAGA_RETRIED).orElseThrow().state()).isEqualTo(SagaState.COMPENSATING);
    assertThat(sagas.byId(SAGA_RESOLVED).orElseThrow().resolvedBy()).isNotBlank();
    OutboxAdmin outbox = OutboxAdmin.builder().dataSource(db.dataSource()).build();
    assertThat(outbox.quarantined(10)).isEmpty();
    assertThat(outbox.stoppedLanes()).isEmpty();
    assertThat(outbox.audit(10)).extracting(a -> a.outcome()).containsOnly("done").hasSize(3);
  }

  /** The README's fenced code blocks: their {@code keel} lines and exports, and the code table. */
  private static Readme readme() throws IOException {
    List<String> commands = new ArrayList<>();
    Set<String> exports = new java.util.TreeSet<>();
    Map<String, String> codes = new LinkedHashMap<>();
    boolean fenced = false;
    boolean codeTable = false;
    for (String line : Files.readAllLines(ROOT.resolve("README.md"), StandardCharsets.UTF_8)) {
      if (line.startsWith("```")) {
        fenced = !fenced;
        continue;
      }
      if (fenced) {
        String t = line.strip();
        if (t.startsWith("keel ")) {
          commands.add(t);
        }
        Matcher m = EXPORT.matcher(t);
        if (m.find()) {
          exports.add(m.group(1));
        }
      } else if (line.equals("| code | meaning |")) {
        codeTable = true;
      } else if (codeTable) {
        Matcher m = CODE_ROW.matcher(line);
        if (m.matches()) {
          codes.put(m.group(1), m.group(2));
        } else if (!line.startsWith("|---")) {
          codeTable = false;
        }
      }
    }
    return new Readme(commands, exports, codes);
  }

  /** A command line split as a POSIX shell would: quotes, and a trailing {@code # comment}. */
  static List<String> words(String line) {
    List<String> words = new ArrayList<>();
    StringBuilder w = null;
    char quote = 0;
    for (int i = 0; i < line.length(); i++) {
      char c = line.charAt(i);
      if (quote != 0) {
        if (c == quote) {
          quote = 0;
        } else {
          w.append(c);
        }
      } else if (c == '"' || c == '\'') {
        quote = c;
        w = w == null ? new StringBuilder() : w;
      } else if (Character.isWhitespace(c)) {
        if (w != null) {
          words.add(w.toString());
          w = null;
        }
      } else if (c == '#' && w == null) {
        break;
      } else {
        w = w == null ? new StringBuilder() : w;
        w.append(c);
      }
    }
    if (w != null) {
      words.add(w.toString());
    }
    return words;
  }

  record Run(int code, String output) {}

  /** Runs {@code bin/keel} (the executable jar) from the repository root. */
  static Run java(Map<String, String> env, List<String> args) throws Exception {
    Path jar = Path.of(System.getProperty("keel.cli.jar"));
    assertThat(jar).as("built by the package phase").exists();
    assertThat(ROOT.resolve("cli/target/keel.jar")).isEqualTo(jar);
    List<String> command = new ArrayList<>();
    command.add("sh");
    command.add(ROOT.resolve("bin/keel").toString());
    command.addAll(args);
    ProcessBuilder pb = new ProcessBuilder(command).directory(ROOT.toFile());
    pb.environment().clear();
    pb.environment().putAll(env);
    String path = env.getOrDefault("PATH", "/usr/bin:/bin");
    pb.environment().put("PATH", Path.of(System.getProperty("java.home"), "bin") + ":" + path);
    pb.redirectErrorStream(true);
    pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
    Process p = pb.start();
    byte[] out = p.getInputStream().readAllBytes();
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("keel %s ended", args).isTrue();
    return new Run(p.exitValue(), new String(out, StandardCharsets.UTF_8));
  }

  /** Data shaped like the README's examples. */
  private static void seed(KafkaBroker broker, IsolatedDatabase db) throws Exception {
    SchemaInstaller installer = SchemaInstaller.builder().dataSource(db.dataSource()).build();
    installer.install("outbox");
    installer.install("saga");
    DeadLetterStore store = DeadLetterStore.builder().dataSource(db.dataSource()).build();
    store.install();

    Map<String, Object> kafka = Map.copyOf(broker.clientProperties());
    try (Admin admin = Admin.create(kafka)) {
      Set<String> existing = admin.listTopics().names().get();
      for (String t : List.of("orders", "orders.dlq")) {
        if (!existing.contains(t)) {
          admin.createTopics(List.of(new NewTopic(t, 1, (short) 1))).all().get();
        }
      }
    }
    try (DeadLetterPublisher publisher =
        DeadLetterPublisher.builder().kafka(kafka).store(store).orderedMode(true).build()) {
      publisher.publish(
          record(0, "order-42", "{\"sku\":\"\"}"),
          Failure.once(
              "fulfil",
              FailureClass.VALIDATION,
              new IllegalArgumentException("no sku"),
              Instant.now()));
      assertThat(publisher.parkIfBlocked("fulfil", record(1, "order-42", "{\"sku\":\"A\"}")))
          .isTrue();
      publisher.publish(
          record(2, "order-7", "{\"sku\":\"B\"}"),
          Failure.once(
              "fulfil", FailureClass.BUSINESS, new IllegalStateException("closed"), Instant.now()));
    }
    assertThat(store.find(DeadLetterQuery.all())).extracting(d -> d.id()).containsExactly(1L, 2L);

    try (Connection c = db.dataSource().getConnection()) {
      for (UUID saga : List.of(SAGA_RETRIED, SAGA_RESOLVED)) {
        sql(
            c,
            "INSERT INTO keel_saga (id, name, definition_version, state, step_index, step_name,"
                + " phase, attempt, data, data_version, deadline, lock_version, log_seq,"
                + " created_at, updated_at, step_started_at, last_progress_at, failure_reason)"
                + " VALUES (?, 'order-fulfillment', 1, 'COMPENSATION_FAILED', 1,"
                + " 'authorize-payment', 'DONE', 3, '{\"orderId\":\"o-1004\"}'::jsonb, 1, NULL, 0,"
                + " 0, now(), now(), now(), now(),"
                + " 'compensation of step authorize-payment failed')",
            saga);
      }
      for (UUID event : List.of(EVENT_RETRIED, EVENT_DISCARDED)) {
        sql(
            c,
            "INSERT INTO keel_outbox_quarantine (event_id, original_id, lane, topic, event_key,"
                + " event_type, contract_version, headers, payload, created_at, attempts, error)"
                + " VALUES (?, 1, 3, 'orders', 'order-42', 'order.placed', 1, NULL,"
                + " convert_to('{}', 'UTF8'), now(), 5,"
                + " 'org.apache.kafka.common.errors.RecordTooLargeException: too large')",
            event);
      }
      sql(
          c,
          "INSERT INTO keel_outbox_lease (lane, stopped) VALUES (3, 'event "
              + EVENT_RETRIED
              + " quarantined on a strict lane')",
          null);
    }
  }

  private static FailedRecord record(long offset, String key, String value) {
    return new FailedRecord(
        "orders",
        0,
        offset,
        key.getBytes(StandardCharsets.UTF_8),
        value.getBytes(StandardCharsets.UTF_8),
        List.of(
            FailedRecord.Header.of("keel-event-id", UUID.randomUUID().toString()),
            FailedRecord.Header.of("keel-event-type", "order.placed"),
            FailedRecord.Header.of("keel-contract-version", "1")));
  }

  private static void sql(Connection c, String sql, UUID id) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      if (id != null) {
        ps.setObject(1, id);
      }
      ps.executeUpdate();
    }
  }
}
