package dev.keel.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.dlq.DeadLetter;
import dev.keel.dlq.DeadLetterPublisher;
import dev.keel.dlq.DeadLetterQuery;
import dev.keel.dlq.DeadLetterStatus;
import dev.keel.dlq.DeadLetterStore;
import dev.keel.dlq.FailedRecord;
import dev.keel.dlq.testing.KafkaIo;
import dev.keel.dlq.testing.ManualTime;
import dev.keel.event.FailureClass;
import dev.keel.retry.Failure;
import dev.keel.test.IsolatedDatabase;
import dev.keel.test.KafkaBroker;
import dev.keel.test.KeelTest;
import dev.keel.test.Topics;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

/** {@code keel dlq list|show|replay|discard|audit} in-process against the real DB and broker. */
@KeelTest
class KeelCliIT {

  private record Result(int code, String out, String err) {}

  /**
   * Runs {@code keel} as the operator its {@code --actor} names: that operator's environment says
   * so ({@code KEEL_ACTOR}), as a deployment's wrapper would set it.
   */
  private static Result keel(String... args) {
    Map<String, String> env = new java.util.HashMap<>(System.getenv());
    int actor = Arrays.asList(args).indexOf("--actor");
    if (actor >= 0) {
      env.put(OperatorIdentity.ACTOR_ENV, args[actor + 1]);
    }
    return keelWith(env, args);
  }

  private static Result keelWith(Map<String, String> env, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = KeelCli.run(new PrintWriter(out), new PrintWriter(err), env, args);
    return new Result(code, out.toString(), err.toString());
  }

  @Test
  void theActorIsTheIdentityTheCommandRunsAsAndTargetsAreAllowedByTheDeployment(
      KafkaBroker broker, Topics topics, IsolatedDatabase db) {
    String topic = topics.create("cli-who", 1);
    DeadLetterStore store = DeadLetterStore.builder().dataSource(db.dataSource()).build();
    store.install();
    try (DeadLetterPublisher publisher =
        DeadLetterPublisher.builder()
            .kafka(Map.copyOf(broker.clientProperties()))
            .store(store)
            .build()) {
      for (int i = 0; i < 2; i++) {
        publisher.publish(
            new FailedRecord(
                topic,
                0,
                i,
                KafkaIo.utf8("w-" + i),
                KafkaIo.utf8("{}"),
                KafkaIo.envelope(UUID.randomUUID())),
            Failure.once(
                "who", FailureClass.BUSINESS, new IllegalStateException("x"), Instant.now()));
      }
    }
    String[] conn = connection(db);
    Map<String, String> alice = new java.util.HashMap<>(System.getenv());
    alice.put(OperatorIdentity.ACTOR_ENV, "alice");

    // a self-declared actor that is not the identity the command runs as is refused
    Result claimed =
        keelWith(
            alice,
            with(new String[] {"dlq", "discard", "--key", "w-0", "--actor", "mallory"}, conn));
    assertThat(claimed.code()).isEqualTo(2);
    assertThat(claimed.err())
        .contains("--actor \"mallory\" is not the identity", "\"alice\" from KEEL_ACTOR");
    assertThat(store.find(DeadLetterQuery.builder().key("w-0").build()).get(0).status())
        .isEqualTo(DeadLetterStatus.DEAD);

    // without --actor the identity is recorded, and said
    Result discard = keelWith(alice, with(new String[] {"dlq", "discard", "--key", "w-0"}, conn));
    assertThat(discard.code()).as(discard.err()).isZero();
    assertThat(discard.err()).contains("acting as \"alice\" from KEEL_ACTOR");
    assertThat(store.audit(1).get(0).actor()).isEqualTo("alice");

    // the permission to replay elsewhere is the deployment's, not an option of the command
    Result granted =
        keelWith(
            alice,
            with(
                new String[] {
                  "dlq",
                  "replay",
                  "--key",
                  "w-1",
                  "--target",
                  "elsewhere",
                  "--allow-target",
                  "elsewhere"
                },
                conn));
    assertThat(granted.code()).isEqualTo(2);
    assertThat(granted.err()).contains("Unknown option", "--allow-target");
    String fixed = topics.create("cli-who-fixed", 1);
    Map<String, String> deployment = new java.util.HashMap<>(alice);
    deployment.put(KeelCli.ALLOWED_TARGETS_ENV, " " + fixed + " ,other");
    Result replay =
        keelWith(
            deployment,
            with(
                new String[] {
                  "dlq",
                  "replay",
                  "--key",
                  "w-1",
                  "--target",
                  fixed,
                  "--bootstrap-servers",
                  broker.bootstrapServers()
                },
                conn));
    assertThat(replay.code()).as(replay.err()).isZero();
    assertThat(store.audit(1).get(0).actor()).isEqualTo("alice");
    assertThat(store.audit(1).get(0).target()).isEqualTo(fixed);
  }

  private static String[] with(String[] base, String... more) {
    String[] all = Arrays.copyOf(base, base.length + more.length);
    System.arraycopy(more, 0, all, base.length, more.length);
    return all;
  }

  @Test
  void discardAllActsOnEveryMatchAndSaysHowManyMatched(
      KafkaBroker broker, Topics topics, IsolatedDatabase db) {
    String topic = topics.create("cli-bulk", 1);
    DeadLetterStore store = DeadLetterStore.builder().dataSource(db.dataSource()).build();
    store.install();
    int n = DeadLetterQuery.DEFAULT_LIMIT + 50;
    try (DeadLetterPublisher publisher =
        DeadLetterPublisher.builder()
            .kafka(Map.copyOf(broker.clientProperties()))
            .store(store)
            .build()) {
      for (int i = 0; i < n; i++) {
        publisher.publish(
            new FailedRecord(
                topic,
                0,
                i,
                KafkaIo.utf8("b-" + i),
                KafkaIo.utf8("{}"),
                KafkaIo.envelope(UUID.randomUUID())),
            Failure.once(
                "bulk", FailureClass.BUSINESS, new IllegalStateException("x"), Instant.now()));
      }
    }
    String[] conn = connection(db);
    Result list = keel(with(new String[] {"dlq", "list"}, conn));
    assertThat(list.out()).contains(DeadLetterQuery.DEFAULT_LIMIT + " dead letter(s)");

    Result dry = keel(with(new String[] {"dlq", "discard", "--all", "--dry-run"}, conn));
    assertThat(dry.out()).contains(n + " of " + n + " matching dead letter(s) would be affected");

    Result some =
        keel(
            with(
                new String[] {"dlq", "discard", "--all", "--limit", "20", "--actor", "bob"}, conn));
    assertThat(some.code()).as(some.err()).isZero();
    assertThat(some.out()).contains("discard: 20 of " + n + " matching dead letter(s)");

    Result rest = keel(with(new String[] {"dlq", "discard", "--all", "--actor", "bob"}, conn));
    assertThat(rest.code()).as(rest.err()).isZero();
    assertThat(rest.out())
        .contains("discard: " + (n - 20) + " of " + (n - 20) + " matching dead letter(s)");
    assertThat(store.count(DeadLetterQuery.builder().status(DeadLetterStatus.DEAD).build()))
        .isZero();
    assertThat(store.count(DeadLetterQuery.builder().status(DeadLetterStatus.DISCARDED).build()))
        .isEqualTo(n);
  }

  @Test
  void parkedRecordsAreListedAPageAtATime(KafkaBroker broker, Topics topics, IsolatedDatabase db) {
    String topic = topics.create("cli-parked", 1);
    DeadLetterStore store = DeadLetterStore.builder().dataSource(db.dataSource()).build();
    store.install();
    int n = 130;
    List<UUID> eventIds = new ArrayList<>();
    try (DeadLetterPublisher publisher =
        DeadLetterPublisher.builder()
            .kafka(Map.copyOf(broker.clientProperties()))
            .store(store)
            .orderedMode(true)
            .build()) {
      publisher.publish(
          new FailedRecord(
              topic,
              0,
              0,
              KafkaIo.utf8("k"),
              KafkaIo.utf8("{}"),
              KafkaIo.envelope(UUID.randomUUID())),
          Failure.once(
              "park", FailureClass.BUSINESS, new IllegalStateException("x"), Instant.now()));
      for (int i = 1; i <= n; i++) {
        UUID id = UUID.randomUUID();
        eventIds.add(id);
        assertThat(
                publisher.parkIfBlocked(
                    "park",
                    new FailedRecord(
                        topic,
                        0,
                        i,
                        KafkaIo.utf8("k"),
                        KafkaIo.utf8("{\"n\":" + i + "}"),
                        KafkaIo.envelope(id))))
            .isTrue();
      }
    }
    String[] conn = connection(db);
    String[] which = {"dlq", "parked", "--group", "park", "--topic", topic, "--key", "k"};

    Result first = keel(with(which, conn));
    assertThat(first.code()).as(first.err()).isZero();
    assertThat(first.out())
        .contains("100 parked record(s)", eventIds.get(0).toString(), eventIds.get(99).toString())
        .doesNotContain(eventIds.get(100).toString())
        .doesNotContain("{\"n\"");
    long last = store.parked("park", topic, "k", 100).get(99).id();
    assertThat(first.out()).contains("more parked records follow: --after-id " + last);

    Result rest =
        keel(
            with(
                with(which, conn),
                "--after-id",
                String.valueOf(last),
                "--limit",
                "50",
                "--payload"));
    assertThat(rest.code()).as(rest.err()).isZero();
    assertThat(rest.out())
        .contains("30 parked record(s)", eventIds.get(129).toString(), "{\"n\":130}")
        .doesNotContain(eventIds.get(99).toString())
        .doesNotContain("more parked records follow");

    Result tooMany = keel(with(with(which, conn), "--limit", "10001"));
    assertThat(tooMany.code()).isEqualTo(ExitCodes.USAGE);
    assertThat(tooMany.err()).contains("--limit must be between 1 and 10000, was 10001");
    Result noKey = keel(with(new String[] {"dlq", "parked", "--group", "park"}, conn));
    assertThat(noKey.code()).isEqualTo(2);
  }

  @Test
  void replayFlagsAreNamedInErrorsAndTheDatabaseComesFromTheEnvironment(
      KafkaBroker broker, IsolatedDatabase db) {
    DeadLetterStore.builder().dataSource(db.dataSource()).build().install();
    Map<String, String> env = new java.util.HashMap<>(System.getenv());
    env.remove(DatabaseOptions.URL_ENV);
    env.remove(DatabaseOptions.USER_ENV);
    env.remove(DlqSubcommand.Connection.BOOTSTRAP_ENV);

    Result noUrl = keelWith(env, "dlq", "audit");
    assertThat(noUrl.code()).isEqualTo(ExitCodes.USAGE);
    assertThat(noUrl.err()).contains("--jdbc-url", DatabaseOptions.URL_ENV);

    env.put(DatabaseOptions.URL_ENV, db.jdbcUrl());
    Result noUser = keelWith(env, "dlq", "audit");
    assertThat(noUser.code()).isEqualTo(ExitCodes.USAGE);
    assertThat(noUser.err())
        .contains("no database user", "--db-user", DatabaseOptions.USER_ENV, "operating-system");

    env.put(DatabaseOptions.USER_ENV, db.user());
    if (db.password() != null) {
      env.put(DatabaseOptions.PASSWORD_ENV, db.password());
    }
    Result audit = keelWith(env, "dlq", "audit");
    assertThat(audit.code()).as(audit.err()).isZero();

    env.put(OperatorIdentity.ACTOR_ENV, "x");
    Result noBroker = keelWith(env, "dlq", "replay", "--all");
    assertThat(noBroker.code()).isEqualTo(ExitCodes.USAGE);
    assertThat(noBroker.err())
        .contains("--bootstrap-servers", DlqSubcommand.Connection.BOOTSTRAP_ENV)
        .doesNotContain("DeadLetters.");
    Result badRate =
        keelWith(
            env,
            "dlq",
            "replay",
            "--all",
            "--rate",
            "0",
            "--bootstrap-servers",
            broker.bootstrapServers());
    assertThat(badRate.code()).isEqualTo(ExitCodes.USAGE);
    assertThat(badRate.err()).contains("--rate must be between").doesNotContain("replayRate");

    env.put(DlqSubcommand.Connection.BOOTSTRAP_ENV, broker.bootstrapServers());
    Result nothing = keelWith(env, "dlq", "replay", "--all");
    assertThat(nothing.code()).as(nothing.err()).isZero();
    assertThat(nothing.out()).contains("replay: 0 of 0 matching dead letter(s)");
  }

  @Test
  void aPacedReplaySaysHowFarItIsAndHowLongIsLeft(
      KafkaBroker broker, Topics topics, IsolatedDatabase db) {
    String topic = topics.create("cli-paced", 1);
    DeadLetterStore store = DeadLetterStore.builder().dataSource(db.dataSource()).build();
    store.install();
    int n = 60;
    try (DeadLetterPublisher publisher =
        DeadLetterPublisher.builder()
            .kafka(Map.copyOf(broker.clientProperties()))
            .store(store)
            .build()) {
      for (int i = 0; i < n; i++) {
        publisher.publish(
            new FailedRecord(
                topic,
                0,
                i,
                KafkaIo.utf8("p-" + i),
                KafkaIo.utf8("{}"),
                KafkaIo.envelope(UUID.randomUUID())),
            Failure.once(
                "paced", FailureClass.BUSINESS, new IllegalStateException("x"), Instant.now()));
      }
    }
    // 60 at 5 per second: about 12 s, one progress line after 10 s when not on a terminal
    Result replay =
        keel(
            with(
                new String[] {
                  "dlq",
                  "replay",
                  "--topic",
                  topic,
                  "--rate",
                  "5",
                  "--actor",
                  "alice",
                  "--bootstrap-servers",
                  broker.bootstrapServers()
                },
                connection(db)));
    assertThat(replay.code()).as(replay.err()).isZero();
    assertThat(replay.out()).contains("replay: " + n + " of " + n + " matching dead letter(s)");
    assertThat(replay.err().lines().filter(l -> l.startsWith("keel: replayed ")))
        .isNotEmpty()
        .allSatisfy(l -> assertThat(l).matches("keel: replayed \\d+/60 \\(\\d+%\\), ~\\d+ s left"));
  }

  @Test
  void aRefusedLoginNamesTheUserTriedAndHowToSetIt(IsolatedDatabase db) {
    Map<String, String> env = new java.util.HashMap<>(System.getenv());
    env.put(DatabaseOptions.URL_ENV, db.jdbcUrl());
    env.put(DatabaseOptions.PASSWORD_ENV, "not-the-password");
    Result r = keelWith(env, "dlq", "audit", "--db-user", "nobody_here");
    assertThat(r.code()).as(r.err()).isEqualTo(ExitCodes.UNAVAILABLE);
    assertThat(r.err())
        .contains(
            "refused the login of user \"nobody_here\" from --db-user",
            "--db-user",
            DatabaseOptions.USER_ENV,
            DatabaseOptions.PASSWORD_ENV)
        .doesNotContain("not-the-password");
  }

  private static String[] connection(IsolatedDatabase db) {
    String url = db.jdbcUrl();
    if (db.password() != null && !db.password().isEmpty()) {
      url += (url.contains("?") ? "&" : "?") + "password=" + db.password();
    }
    return new String[] {"--jdbc-url", url, "--db-user", db.user()};
  }

  @Test
  void operatorListsShowsReplaysAndDiscardsFromTheCommandLine(
      KafkaBroker broker, Topics topics, IsolatedDatabase db) {
    String topic = topics.create("cli-orders", 1);
    DeadLetterStore store = DeadLetterStore.builder().dataSource(db.dataSource()).build();
    store.install();
    UUID poisonId = UUID.randomUUID();
    // The CLI counts ages (--since PT1M) back from the wall clock, so this test's clock is set
    // against it: two hours ago, whatever the date.
    Instant t0 = Instant.now().minus(java.time.Duration.ofHours(2)).truncatedTo(ChronoUnit.MINUTES);
    String t15 = t0.plus(java.time.Duration.ofMinutes(15)).toString();
    ManualTime time = new ManualTime(t0);
    try (KafkaIo kafka = new KafkaIo(broker);
        DeadLetterPublisher publisher =
            DeadLetterPublisher.builder()
                .kafka(Map.copyOf(broker.clientProperties()))
                .store(store)
                .orderedMode(true)
                .clock(time.clock())
                .build()) {
      publisher.publish(
          new FailedRecord(
              topic,
              0,
              0,
              KafkaIo.utf8("c-1"),
              KafkaIo.utf8("{\"sku\":\"A\"}"),
              KafkaIo.envelope(poisonId)),
          Failure.once(
              "fulfil",
              FailureClass.VALIDATION,
              new IllegalArgumentException("no sku"),
              Instant.now()));
      time.advance(java.time.Duration.ofMinutes(30)); // the second one at t0 + 30 min
      publisher.publish(
          new FailedRecord(
              topic,
              0,
              1,
              KafkaIo.utf8("c-2"),
              KafkaIo.utf8("{\"sku\":\"B\"}"),
              KafkaIo.envelope(UUID.randomUUID())),
          Failure.once(
              "fulfil", FailureClass.BUSINESS, new IllegalStateException("closed"), Instant.now()));
      assertThat(
              publisher.parkIfBlocked(
                  "fulfil",
                  new FailedRecord(
                      topic,
                      0,
                      2,
                      KafkaIo.utf8("c-1"),
                      KafkaIo.utf8("{\"sku\":\"A2\"}"),
                      KafkaIo.envelope(UUID.randomUUID()))))
          .isTrue();
      List<DeadLetter> rows = store.find(DeadLetterQuery.builder().topic(topic).build());
      long first = rows.get(0).id();
      long second = rows.get(1).id();

      String url = db.jdbcUrl();
      if (db.password() != null && !db.password().isEmpty()) {
        url += (url.contains("?") ? "&" : "?") + "password=" + db.password();
      }
      String[] conn = {"--jdbc-url", url, "--db-user", db.user()};

      Result list = keel(with(with(new String[] {"dlq", "list"}, conn), "--topic", topic));
      assertThat(list.code()).as(list.err()).isZero();
      assertThat(list.out())
          .contains(
              first + " ", second + " ", "validation", "business", "\"c-1\"", "2 dead letter(s)");
      assertThat(list.out()).doesNotContain("sku");

      Result business =
          keel(
              with(
                  with(new String[] {"dlq", "list"}, conn),
                  "--topic",
                  topic,
                  "--reason",
                  "business"));
      assertThat(business.out()).contains("1 dead letter(s)", "\"c-2\"").doesNotContain("\"c-1\"");

      Result since =
          keel(with(with(new String[] {"dlq", "list"}, conn), "--topic", topic, "--since", t15));
      assertThat(since.code()).as(since.err()).isZero();
      assertThat(since.out()).contains("1 dead letter(s)", "\"c-2\"").doesNotContain("\"c-1\"");
      Result until =
          keel(with(with(new String[] {"dlq", "list"}, conn), "--topic", topic, "--until", t15));
      assertThat(until.out()).contains("1 dead letter(s)", "\"c-1\"").doesNotContain("\"c-2\"");
      Result window =
          keel(
              with(
                  with(new String[] {"dlq", "list"}, conn),
                  "--since",
                  t0.toString(),
                  "--until",
                  t0.plus(java.time.Duration.ofMinutes(30)).toString()));
      assertThat(window.out()).contains("1 dead letter(s)", "\"c-1\"");
      // an age counts back from now: both were dead-lettered (by the test clock) long before
      Result recent =
          keel(with(with(new String[] {"dlq", "list"}, conn), "--topic", topic, "--since", "PT1M"));
      assertThat(recent.out()).contains("0 dead letter(s)");
      Result badSince =
          keel(with(with(new String[] {"dlq", "list"}, conn), "--since", "yesterday"));
      assertThat(badSince.code()).isNotZero();
      assertThat(badSince.err()).contains("--since must be an ISO-8601 instant or duration");
      // a dry run with a window: only the earlier one would be discarded
      Result windowDry =
          keel(with(with(new String[] {"dlq", "discard"}, conn), "--until", t15, "--dry-run"));
      assertThat(windowDry.out())
          .contains("1 of 1 matching dead letter(s) would be affected", "id=" + first);

      Result show =
          keel(with(with(new String[] {"dlq", "show", String.valueOf(first)}, conn), "--payload"));
      assertThat(show.code()).isZero();
      assertThat(show.out())
          .contains(poisonId.toString(), "{\"sku\":\"A\"}", "validation", "no sku");

      Result noFilter = keel(with(new String[] {"dlq", "replay"}, conn));
      assertThat(noFilter.code()).isEqualTo(2);
      assertThat(noFilter.err()).contains("--all");

      Result notAllowed =
          keel(
              with(
                  with(new String[] {"dlq", "replay"}, conn),
                  "--bootstrap-servers",
                  broker.bootstrapServers(),
                  "--key",
                  "c-1",
                  "--target",
                  "somewhere-else",
                  "--actor",
                  "mallory"));
      assertThat(notAllowed.code()).isEqualTo(ExitCodes.USAGE);
      assertThat(notAllowed.err())
          .contains("--target \"somewhere-else\" is not allowed", KeelCli.ALLOWED_TARGETS_ENV)
          .doesNotContain("DeadLetters.");

      Result dryRun =
          keel(with(with(new String[] {"dlq", "replay"}, conn), "--key", "c-1", "--dry-run"));
      assertThat(dryRun.out()).contains("1 of 1 matching dead letter(s) would be affected");
      assertThat(store.get(first).orElseThrow().status()).isEqualTo(DeadLetterStatus.DEAD);

      Result replay =
          keel(
              with(
                  with(new String[] {"dlq", "replay"}, conn),
                  "--bootstrap-servers",
                  broker.bootstrapServers(),
                  "--key",
                  "c-1",
                  "--group",
                  "fulfil",
                  "--actor",
                  "alice",
                  "--rate",
                  "1000"));
      assertThat(replay.code()).as(replay.err()).isZero();
      assertThat(replay.out())
          .contains("replay: 1 of 1 matching dead letter(s), 1 parked record(s)");
      List<ConsumerRecord<byte[], byte[]>> out = kafka.readAll(topic, 2);
      List<String> values = new ArrayList<>();
      out.forEach(r -> values.add(new String(r.value(), StandardCharsets.UTF_8)));
      assertThat(values).containsExactly("{\"sku\":\"A\"}", "{\"sku\":\"A2\"}");
      assertThat(KafkaIo.header(out.get(0), "keel-event-id")).isEqualTo(poisonId.toString());

      Result discard =
          keel(
              with(
                  with(new String[] {"dlq", "discard"}, conn),
                  "--id",
                  String.valueOf(second),
                  "--actor",
                  "bob"));
      assertThat(discard.code()).as(discard.err()).isZero();
      assertThat(discard.out()).contains("discard: 1 of 1 matching dead letter(s)");
      assertThat(store.get(second).orElseThrow().status()).isEqualTo(DeadLetterStatus.DISCARDED);

      Result dead =
          keel(
              with(with(new String[] {"dlq", "list"}, conn), "--topic", topic, "--status", "DEAD"));
      assertThat(dead.out()).contains("0 dead letter(s)");
      Result replayed =
          keel(
              with(
                  with(new String[] {"dlq", "list"}, conn),
                  "--topic",
                  topic,
                  "--status",
                  "REPLAYED"));
      assertThat(replayed.out())
          .contains("1 dead letter(s)", "REPLAYED", "\"c-1\"")
          .doesNotContain("\"c-2\"");
      Result discarded =
          keel(
              with(
                  with(new String[] {"dlq", "list"}, conn),
                  "--status",
                  "DISCARDED",
                  "--since",
                  t15));
      assertThat(discarded.out())
          .contains("1 dead letter(s)", "DISCARDED", "\"c-2\"")
          .doesNotContain("\"c-1\"");
      Result badStatus = keel(with(with(new String[] {"dlq", "list"}, conn), "--status", "GONE"));
      assertThat(badStatus.code()).isNotZero();

      Result audit = keel(with(new String[] {"dlq", "audit"}, conn));
      assertThat(audit.out())
          .contains(
              "replay by \"alice\": 1 dead letter(s), 1 parked",
              "discard by \"bob\": 1 dead letter(s)",
              "completed");

      Result missing = keel(with(new String[] {"dlq", "show", "999999"}, conn));
      assertThat(missing.code()).isEqualTo(1);
    }
  }
}
