package dev.keel.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.dlq.DeadLetterPublisher;
import dev.keel.dlq.DeadLetterQuery;
import dev.keel.dlq.DeadLetterStore;
import dev.keel.dlq.FailedRecord;
import dev.keel.dlq.testing.KafkaIo;
import dev.keel.event.FailureClass;
import dev.keel.retry.Failure;
import dev.keel.test.IsolatedDatabase;
import dev.keel.test.KafkaBroker;
import dev.keel.test.KeelTest;
import dev.keel.test.Topics;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the {@code keel} CLI prints cannot carry a secret or a terminal control sequence: passwords
 * in JDBC URLs (every shape a URL can hold one in) stay out of driver errors, secrets of a {@code
 * --kafka-config} file are masked wherever they would appear, and stored failure data (keys,
 * messages, headers, payloads, written by whoever produced the failing record) is escaped.
 */
@KeelTest
class CliOutputSafetyIT {
  private static final String PW = "Pw-9f2c-S3cr3t";

  private record Result(int code, String out, String err) {
    String all() {
      return out + err;
    }
  }

  private static Result keel(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = KeelCli.run(new PrintWriter(out), new PrintWriter(err), args);
    return new Result(code, out.toString(), err.toString());
  }

  @Test
  void aPasswordInAJdbcUrlNeverReachesTheOutput() {
    List<String> urls =
        List.of(
            // no driver for the URL: DriverManager repeats it in "No suitable driver found for"
            "jdbc:nosuch://127.0.0.1:1/app?user=svc&password=" + PW,
            "jdbc:sqlserver://127.0.0.1:1;user=svc;password=" + PW,
            "jdbc:mysql://svc:" + PW + "@127.0.0.1:1/app",
            // drivers that cannot parse or reach the URL
            "jdbc:postgresql://127.0.0.1:notaport/app?password=" + PW,
            "jdbc:postgresql://127.0.0.1:1/app?connectTimeout=1&password=" + PW,
            "jdbc:mariadb://127.0.0.1:notaport/app?password=" + PW,
            "jdbc:mariadb://127.0.0.1:1/app?connectTimeout=1000&password=" + PW);
    for (String url : urls) {
      for (String[] command :
          List.of(
              new String[] {"dlq", "list", "--jdbc-url", url, "--db-user", "svc"},
              new String[] {"dlq", "show", "1", "--jdbc-url", url, "--db-user", "svc"},
              new String[] {"dlq", "audit", "--jdbc-url=" + url, "--db-user=svc"})) {
        Result r = keel(command);
        assertThat(r.code()).as(url).isNotZero();
        assertThat(r.all()).as(url).doesNotContain(PW).contains("keel: ");
      }
    }
    Result noDriver = keel("dlq", "list", "--jdbc-url", urls.get(0), "--db-user", "svc");
    assertThat(noDriver.err()).contains("No suitable driver", "password=****");
  }

  @Test
  void storedFailureDataIsEscapedAndKafkaConfigSecretsAreMasked(
      KafkaBroker broker, Topics topics, IsolatedDatabase db, @TempDir Path dir)
      throws IOException {
    String topic = topics.create("cli-hostile", 1);
    DeadLetterStore store = DeadLetterStore.builder().dataSource(db.dataSource()).build();
    store.install();
    String hostileKey = "k\u001b[31m\u009b2J\u202e";
    List<FailedRecord.Header> headers = new ArrayList<>(KafkaIo.envelope(UUID.randomUUID()));
    headers.add(FailedRecord.Header.of("x-note", "\u001b]0;pwned\u0007"));
    try (DeadLetterPublisher publisher =
        DeadLetterPublisher.builder()
            .kafka(Map.copyOf(broker.clientProperties()))
            .store(store)
            .build()) {
      publisher.publish(
          new FailedRecord(
              topic,
              0,
              0,
              hostileKey.getBytes(StandardCharsets.UTF_8),
              "{\"a\":1}\n\u001b[2Jstatus:          DISCARDED".getBytes(StandardCharsets.UTF_8),
              headers),
          Failure.once(
              "hostile",
              FailureClass.VALIDATION,
              // a handler that put a credential into its error message
              new IllegalArgumentException("bad\u009b1m input; auth " + PW + "\u2028forged"),
              Instant.now()));
    }
    long id = store.find(DeadLetterQuery.all()).get(0).id();
    Path kafkaConfig = dir.resolve("client.properties");
    Files.writeString(
        kafkaConfig,
        "security.protocol=SASL_SSL\n"
            + "sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required"
            + " username=\"svc\" password=\""
            + PW
            + "\";\n");
    String url = db.jdbcUrl();
    if (db.password() != null && !db.password().isEmpty()) {
      url += (url.contains("?") ? "&" : "?") + "password=" + db.password();
    }
    String[] conn = {"--jdbc-url", url, "--db-user", db.user()};

    Result list = keel(concat(new String[] {"dlq", "list", "--topic", topic}, conn));
    assertThat(list.code()).as(list.err()).isZero();
    assertSafe(list.out());
    assertThat(list.out()).contains("\\u001b[31m\\u009b2J\\u202e");

    Result show =
        keel(
            concat(
                new String[] {
                  "dlq",
                  "show",
                  String.valueOf(id),
                  "--payload",
                  "--kafka-config",
                  kafkaConfig.toString()
                },
                conn));
    assertThat(show.code()).as(show.err()).isZero();
    assertSafe(show.out());
    assertThat(show.out())
        .doesNotContain(PW)
        .contains("\\u009b1m", "\\u2028forged", "\\u001b]0;pwned\\u0007", "****");
    // the payload's second line cannot pass for one of the tool's own lines
    assertThat(show.out()).doesNotContain("\nstatus:          DISCARDED");
    assertThat(show.out()).contains("\n  \\u001b[2Jstatus:          DISCARDED");
  }

  private static void assertSafe(String printed) {
    for (int i = 0; i < printed.length(); i++) {
      char c = printed.charAt(i);
      assertThat(c == '\n' || c == '\t' || (c >= 0x20 && c != 0x7f && (c < 0x80 || c > 0x9f)))
          .as("character U+%04X at %d of %s", (int) c, i, printed)
          .isTrue();
      assertThat(c >= '\u202a' && c <= '\u202e').as("bidi override at %d", i).isFalse();
      assertThat(c == '\u2028' || c == '\u2029').as("line separator at %d", i).isFalse();
    }
  }

  private static String[] concat(String[] a, String[] b) {
    String[] all = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, all, a.length, b.length);
    return all;
  }
}
