package dev.keel.outbox.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.keel.event.Event;
import dev.keel.event.EventHeaders;
import dev.keel.event.sql.SchemaInstaller;
import dev.keel.event.sql.SqlDialect;
import dev.keel.event.sql.TableNames;
import dev.keel.outbox.Outbox;
import dev.keel.outbox.OutboxAdmin;
import dev.keel.outbox.OutboxRelay;
import dev.keel.outbox.QuarantinedEvent;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.BufferExhaustedException;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.errors.NotEnoughReplicasException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The relay's settle and quarantine logic, end to end through its worker threads and an H2 outbox,
 * against Kafka's {@link MockProducer} whose answers each test scripts per record: no broker. What
 * only a real broker can show (its refusals, partitions, outages) stays in the integration tests.
 */
class RelaySettleTest {
  private static final AtomicInteger DB = new AtomicInteger();
  private static final String TOPIC = "orders";

  private final JdbcDataSource ds = new JdbcDataSource();
  private final List<OutboxRelay> relays = new ArrayList<>();

  /** Every record Kafka took (acknowledged), in the order it took them, by payload. */
  private final List<String> published = Collections.synchronizedList(new ArrayList<>());

  /** How many times each payload was handed to a producer. */
  private final Map<String, AtomicInteger> sends = new ConcurrentHashMap<>();

  RelaySettleTest() {
    ds.setURL("jdbc:h2:mem:relay-settle" + DB.incrementAndGet() + ";DB_CLOSE_DELAY=-1");
    SchemaInstaller.builder().dataSource(ds).dialect(SqlDialect.H2).build().install("outbox");
  }

  @AfterEach
  void close() {
    relays.forEach(OutboxRelay::close);
  }

  @Test
  void acknowledgedRowsAreDeletedAndAFailedOneStaysWithItsAttemptCounted() throws Exception {
    Outbox outbox = outbox(1);
    append(outbox, "a", "b", "c", "d");
    List<Long> pendingAtRetry = new ArrayList<>();
    List<String> errorAtRetry = new ArrayList<>();
    start(
        relay(1, false),
        (payload, attempt) -> {
          if (payload.equals("b") && attempt == 1) {
            return new NotEnoughReplicasException("for now");
          }
          if (payload.equals("b")) {
            pendingAtRetry.add(admin().pending()); // the worker waits on this send
            errorAtRetry.add(lastFailure());
          }
          return null;
        });

    await().atMost(Duration.ofSeconds(20)).until(() -> admin().pending() == 0);
    assertThat(pendingAtRetry).as("the batch's acknowledged rows went at once").containsExactly(1L);
    assertThat(errorAtRetry).singleElement().asString().contains("NotEnoughReplicasException");
    assertThat(published).containsExactly("a", "c", "d", "b");
    assertThat(rows("outbox")).as("acknowledged rows are deleted").isZero();
    assertThat(rows("outbox_published")).isZero();
    assertThat(admin().quarantined(10)).isEmpty();
  }

  @Test
  void markPublishedMovesAcknowledgedRowsToThePublishedTable() throws Exception {
    Outbox outbox = outbox(1);
    append(outbox, "a", "b");
    start(relayBuilder(1, false).markPublished(Duration.ofHours(1)).build(), (p, n) -> null);

    await().atMost(Duration.ofSeconds(20)).until(() -> admin().pending() == 0);
    assertThat(published).containsExactly("a", "b");
    assertThat(rows("outbox")).isZero();
    assertThat(rows("outbox_published")).as("moved, kept for the retention").isEqualTo(2);
  }

  @ParameterizedTest
  @ValueSource(strings = {"too-large", "not-authorized", "invalid-topic"})
  void aPermanentRefusalQuarantinesExactlyThatRowAndTheLaneFlowsOn(String refusal)
      throws Exception {
    Outbox outbox = outbox(1);
    UUID[] ids = append(outbox, "a", "refused", "c");
    start(
        relay(1, false), (payload, attempt) -> payload.equals("refused") ? refusal(refusal) : null);

    await().atMost(Duration.ofSeconds(20)).until(() -> admin().pending() == 0);
    assertThat(admin().quarantined(10))
        .singleElement()
        .satisfies(
            q -> {
              assertThat(q.eventId()).isEqualTo(ids[1]);
              assertThat(q.attempts()).isEqualTo(1);
              assertThat(q.error()).startsWith(refusal(refusal).getClass().getSimpleName());
            });
    assertThat(sends.get("refused")).as("never tried again").hasValue(1);
    assertThat(published).containsExactly("a", "c");
    assertThat(admin().stoppedLanes()).isEmpty();
  }

  @Test
  void aPermanentRefusalInAStrictLaneStopsItsKeysLaneAndNothingBehindItGoesOut() throws Exception {
    Outbox outbox = outbox(2);
    String k = "k";
    String l = keyOnAnotherLane(outbox, k);
    UUID[] ids = new UUID[5];
    inTx(
        c -> {
          ids[0] = outbox.append(c, event(k, "k0"));
          ids[1] = outbox.append(c, event(k, "k1-refused"));
          ids[2] = outbox.append(c, event(l, "l0"));
          ids[3] = outbox.append(c, event(k, "k2"));
          ids[4] = outbox.append(c, event(l, "l1"));
        });
    start(
        relay(2, true),
        (payload, attempt) ->
            payload.endsWith("refused") ? new RecordTooLargeException("too large") : null);

    await().atMost(Duration.ofSeconds(20)).until(() -> !admin().stoppedLanes().isEmpty());
    await().atMost(Duration.ofSeconds(20)).until(() -> published.contains("l1"));
    assertThat(admin().stoppedLanes()).containsOnlyKeys(outbox.laneOf(k));
    assertThat(admin().quarantined(10))
        .extracting(QuarantinedEvent::eventId)
        .containsExactly(ids[1]);
    assertThat(published).containsExactlyInAnyOrder("k0", "l0", "l1");
    assertThat(sends)
        .as("nothing of the key behind the refused row was sent")
        .doesNotContainKey("k2");
    assertThat(admin().pending()).isEqualTo(1);

    assertThat(admin().discard(ids[1], "ops")).isTrue();
    assertThat(admin().resumeLane(outbox.laneOf(k), "ops")).isTrue();
    await().atMost(Duration.ofSeconds(20)).until(() -> admin().pending() == 0);
    assertThat(published).containsSubsequence("k0", "k2").containsSubsequence("l0", "l1");
  }

  @Test
  void aTransientFailureInAStrictLaneIsRetriedWithoutReordering() throws Exception {
    Outbox outbox = outbox(1);
    append(outbox, "k0", "k1", "k2");
    start(
        relay(1, true),
        (payload, attempt) ->
            payload.equals("k0") && attempt <= 2
                ? new NotEnoughReplicasException("for now")
                : null);

    await().atMost(Duration.ofSeconds(20)).until(() -> admin().pending() == 0);
    assertThat(published).containsExactly("k0", "k1", "k2");
    assertThat(sends.get("k0")).hasValue(3);
    assertThat(sends.get("k1")).as("sent once, after k0 was acknowledged").hasValue(1);
    assertThat(admin().quarantined(10)).isEmpty();
  }

  /**
   * A send that fails before Kafka takes the record (here its buffer stayed full) holds the rest of
   * its key's rows in the pass, so none of them reaches the topic ahead of it; other keys go on.
   */
  @Test
  void aSendThatFailsAtOnceHoldsTheRestOfItsKeyInANonStrictLane() throws Exception {
    Outbox outbox = outbox(1);
    append(outbox, "k0", "k1", "l0", "k2");
    start(
        relay(1, false),
        (payload, attempt) ->
            payload.equals("k0") && attempt == 1
                ? new BufferExhaustedException("Failed to allocate memory within 0 ms")
                : null);

    await().atMost(Duration.ofSeconds(20)).until(() -> admin().pending() == 0);
    assertThat(published).containsExactly("l0", "k0", "k1", "k2");
    assertThat(sends.get("k1")).as("not sent while k0 had failed").hasValue(1);
    assertThat(sends.get("k2")).hasValue(1);
  }

  /**
   * A row that fails while others of its pass publish is the row's trouble, not an outage: its
   * attempts count, and after {@code maxAttempts} it is quarantined. (A pass where nothing at all
   * goes through is an outage instead, and counts no attempt.)
   */
  @Test
  void aRowThatKeepsFailingWhileOthersPublishIsQuarantinedAfterMaxAttempts() throws Exception {
    Outbox outbox = outbox(1);
    UUID[] ids = append(outbox, "a", "flaky");
    start(
        relay(1, false),
        (payload, attempt) -> {
          if (!payload.equals("flaky")) {
            return null;
          }
          try {
            append(outbox, "n" + attempt); // the next pass has a row that goes through
          } catch (SQLException e) {
            throw new IllegalStateException(e);
          }
          return new NotEnoughReplicasException("for now");
        });

    await().atMost(Duration.ofSeconds(20)).until(() -> !admin().quarantined(10).isEmpty());
    await().atMost(Duration.ofSeconds(20)).until(() -> admin().pending() == 0);
    assertThat(admin().quarantined(10))
        .singleElement()
        .satisfies(
            q -> {
              assertThat(q.eventId()).isEqualTo(ids[1]);
              assertThat(q.attempts()).isEqualTo(3);
              assertThat(q.error()).contains("(after 3 attempts)");
            });
    assertThat(sends.get("flaky")).hasValue(3);
    assertThat(published).containsExactly("a", "n1", "n2", "n3");
  }

  private static RuntimeException refusal(String name) {
    return switch (name) {
      case "too-large" -> new RecordTooLargeException("too large for the topic");
      case "not-authorized" -> new TopicAuthorizationException("denied");
      default -> new InvalidTopicException("no such name");
    };
  }

  private OutboxAdmin admin() {
    return OutboxAdmin.builder().dataSource(ds).dialect(SqlDialect.H2).build();
  }

  private Outbox outbox(int lanes) {
    return Outbox.builder().dialect(SqlDialect.H2).lanes(lanes).build();
  }

  private OutboxRelay.Builder relayBuilder(int lanes, boolean strict) {
    return OutboxRelay.builder()
        .dataSource(ds)
        .dialect(SqlDialect.H2)
        .producerProperties(Map.of("bootstrap.servers", "unused:9092"))
        .lanes(lanes)
        .strictOrdering(strict)
        .maxAttempts(3)
        .pollInterval(Duration.ofMillis(20))
        .leaseDuration(Duration.ofSeconds(3))
        .backoff(Duration.ofMillis(10), Duration.ofMillis(100))
        .closeTimeout(Duration.ofSeconds(2));
  }

  private OutboxRelay relay(int lanes, boolean strict) {
    return relayBuilder(lanes, strict).build();
  }

  /**
   * Starts a relay whose producers answer each send as the script says: null acknowledges, an
   * exception fails the send with it. The script gets the payload and its send count, from 1.
   */
  private void start(OutboxRelay relay, BiFunction<String, Integer, RuntimeException> script) {
    ((DefaultOutboxRelay) relay).useClients(new ScriptedClients(script));
    relays.add(relay);
    relay.start();
  }

  private final class ScriptedClients implements RelayClients {
    private final BiFunction<String, Integer, RuntimeException> script;

    ScriptedClients(BiFunction<String, Integer, RuntimeException> script) {
      this.script = script;
    }

    @Override
    public Producer<byte[], byte[]> producer(Map<String, Object> settings) {
      return new MockProducer<>(true, null, new ByteArraySerializer(), new ByteArraySerializer()) {
        @Override
        public synchronized Future<RecordMetadata> send(
            ProducerRecord<byte[], byte[]> record, Callback callback) {
          assertThat(record.headers().lastHeader(EventHeaders.EVENT_ID)).isNotNull();
          String payload = new String(record.value(), StandardCharsets.UTF_8);
          int attempt = sends.computeIfAbsent(payload, p -> new AtomicInteger()).incrementAndGet();
          RuntimeException answer = script.apply(payload, attempt);
          if (answer != null) {
            return CompletableFuture.failedFuture(answer);
          }
          published.add(payload);
          return super.send(record, callback);
        }
      };
    }

    @Override
    public Optional<Admin> admin(Map<String, Object> settings) {
      return Optional.empty(); // no topic checks: every send decides
    }
  }

  private UUID[] append(Outbox outbox, String... payloads) throws SQLException {
    UUID[] ids = new UUID[payloads.length];
    inTx(
        c -> {
          for (int i = 0; i < payloads.length; i++) {
            ids[i] = outbox.append(c, event(payloads[i].substring(0, 1), payloads[i]));
          }
        });
    return ids;
  }

  private static Event event(String key, String payload) {
    return Event.builder()
        .type("order.placed")
        .topic(TOPIC)
        .key(key)
        .source("test")
        .payload(payload.getBytes(StandardCharsets.UTF_8))
        .build();
  }

  private static String keyOnAnotherLane(Outbox outbox, String key) {
    for (int i = 0; ; i++) {
      String other = "l" + i;
      if (outbox.laneOf(other) != outbox.laneOf(key)) {
        return other;
      }
    }
  }

  private interface SqlWork {
    void run(Connection c) throws SQLException;
  }

  private void inTx(SqlWork work) throws SQLException {
    try (Connection c = ds.getConnection()) {
      c.setAutoCommit(false);
      work.run(c);
      c.commit();
    }
  }

  private long rows(String table) throws SQLException {
    try (Connection c = ds.getConnection();
        PreparedStatement ps =
            c.prepareStatement(
                "SELECT COUNT(*) FROM " + TableNames.defaults().sql(SqlDialect.H2, table));
        ResultSet rs = ps.executeQuery()) {
      rs.next();
      return rs.getLong(1);
    }
  }

  /** The last error of the one row whose attempts were counted. */
  private String lastFailure() {
    try (Connection c = ds.getConnection();
        PreparedStatement ps =
            c.prepareStatement(
                "SELECT last_error FROM "
                    + TableNames.defaults().sql(SqlDialect.H2, "outbox")
                    + " WHERE attempts = 1");
        ResultSet rs = ps.executeQuery()) {
      return rs.next() ? rs.getString(1) : null;
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }
}
