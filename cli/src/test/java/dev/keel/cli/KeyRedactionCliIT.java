package dev.keel.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.dlq.DeadLetter;
import dev.keel.dlq.DeadLetterPublisher;
import dev.keel.dlq.DeadLetterQuery;
import dev.keel.dlq.DeadLetterStatus;
import dev.keel.dlq.DeadLetterStore;
import dev.keel.dlq.FailedRecord;
import dev.keel.dlq.spi.PayloadRedactor;
import dev.keel.dlq.testing.KafkaIo;
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
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * A dead letter whose key {@link PayloadRedactor#redactKey} masked: {@code keel dlq} shows the
 * masked key marked as redacted, never the secret, and {@code replay} refuses it with exit code 1.
 */
@KeelTest
class KeyRedactionCliIT {
  private static final String SECRET = "4111111111111111";
  private static final String MASKED = "acct-****";

  private record Result(int code, String out, String err) {}

  @Test
  void aRedactedKeyIsShownMaskedAndItsReplayIsRefused(
      KafkaBroker broker, Topics topics, IsolatedDatabase db) {
    String topic = topics.create("cli-accounts", 1);
    DeadLetterStore store = DeadLetterStore.builder().dataSource(db.dataSource()).build();
    store.install();
    PayloadRedactor masking =
        new PayloadRedactor() {
          @Override
          public byte[] redact(FailedRecord record, byte[] payload) {
            return payload;
          }

          @Override
          public byte[] redactKey(FailedRecord record, byte[] key) {
            return MASKED.getBytes(StandardCharsets.UTF_8);
          }
        };
    try (DeadLetterPublisher publisher =
        DeadLetterPublisher.builder()
            .kafka(Map.copyOf(broker.clientProperties()))
            .store(store)
            .orderedMode(true)
            .redactor(masking)
            .build()) {
      publisher.publish(
          new FailedRecord(
              topic,
              0,
              0,
              KafkaIo.utf8("acct-" + SECRET),
              KafkaIo.utf8("{}"),
              KafkaIo.envelope(UUID.randomUUID())),
          Failure.once(
              "ledger", FailureClass.VALIDATION, new IllegalStateException("x"), Instant.now()));
    }
    DeadLetter d = store.find(DeadLetterQuery.builder().topic(topic).build()).get(0);
    Map<String, String> env = new HashMap<>(System.getenv());
    env.put(OperatorIdentity.ACTOR_ENV, "alice");
    env.put(DatabaseOptions.URL_ENV, db.jdbcUrl());
    env.put(DatabaseOptions.USER_ENV, db.user());
    if (db.password() != null) {
      env.put(DatabaseOptions.PASSWORD_ENV, db.password());
    }
    env.put(DlqSubcommand.Connection.BOOTSTRAP_ENV, broker.bootstrapServers());

    Result list = keel(env, "dlq", "list", "--topic", topic);
    assertThat(list.code()).as(list.err()).isZero();
    assertThat(list.out()).contains("\"" + MASKED + "\" (redacted)").doesNotContain(SECRET);
    Result show = keel(env, "dlq", "show", String.valueOf(d.id()));
    assertThat(show.out())
        .contains("key:             \"" + MASKED + "\" (redacted): replay refuses")
        .doesNotContain(SECRET);
    Result dryRun = keel(env, "dlq", "replay", "--topic", topic, "--dry-run");
    assertThat(dryRun.out()).contains("would refuse (key redacted)").doesNotContain(SECRET);

    Result replay = keel(env, "dlq", "replay", "--id", String.valueOf(d.id()));
    assertThat(replay.code()).as(replay.err()).isEqualTo(ExitCodes.REFUSED);
    assertThat(replay.out())
        .contains("refused dead letter " + d.id() + ": its key was redacted")
        .contains(
            "replay: 0 of 1 matching dead letter(s), 0 parked record(s), 0 skipped, 1 refused")
        .doesNotContain(SECRET);
    assertThat(store.get(d.id()).orElseThrow().status()).isEqualTo(DeadLetterStatus.DEAD);
  }

  private static Result keel(Map<String, String> env, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = KeelCli.run(new PrintWriter(out), new PrintWriter(err), env, args);
    return new Result(code, out.toString(), err.toString());
  }
}
