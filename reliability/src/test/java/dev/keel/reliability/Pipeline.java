package dev.keel.reliability;

import static org.awaitility.Awaitility.await;

import dev.keel.consumer.ConsumerRuntime;
import dev.keel.consumer.ListenerDefinition;
import dev.keel.consumer.Ordering;
import dev.keel.outbox.Outbox;
import dev.keel.outbox.OutboxRelay;
import dev.keel.outbox.internal.DefaultOutboxRelay;
import dev.keel.test.IsolatedDatabase;
import dev.keel.test.KafkaBroker;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.awaitility.core.ConditionTimeoutException;

/**
 * The end-to-end path every scenario drives: business transactions that write a business row and
 * append its event to the outbox, relay instances, the Kafka topic, consumer runtimes that write
 * one effect row per handled event, and a recorder of the raw topic. {@link #check()} hands all
 * four sources to the {@link DeliveryChecker}.
 *
 * <p>Tables in the test's schema: {@code business(event_id, k, seq)} is the source of truth for
 * what committed; {@code effect(seq, event_id, k)} has no unique key, so a second effect would
 * show.
 */
final class Pipeline implements AutoCloseable {
  static final int LANES = 16;

  final KafkaBroker broker;
  final String topic;
  final IsolatedDatabase db;
  final Outbox outbox = Outbox.builder().lanes(LANES).build();
  final String group = "reliability-" + UUID.randomUUID();
  final Set<UUID> rolledBack = ConcurrentHashMap.newKeySet();
  final List<OutboxRelay> relays = new CopyOnWriteArrayList<>();
  final List<ConsumerRuntime> consumers = new CopyOnWriteArrayList<>();
  private final LogRecorder log;
  private final AtomicInteger instances = new AtomicInteger();
  private final AtomicInteger handled = new AtomicInteger();

  /** JDBC URL of the relays and consumers (a proxy's, to cut their connections). */
  String componentJdbcUrl;

  /** Kafka client settings added to the relays' producers and the consumers. */
  final Map<String, Object> clientOverrides = new HashMap<>();

  int relayBatchSize = 200;

  /** Whether the relays claim behind cursors ({@link OutboxRelay.Builder#cursorClaims}). */
  boolean cursorClaims;

  int relayWorkers = 2;
  Duration leaseDuration = Duration.ofSeconds(3);
  int consumerThreads = 2;
  java.util.function.Supplier<ListenerDefinition> listener = this::effectListener;
  UnaryOperator<OutboxRelay.Builder> relayCustomizer = b -> b;
  UnaryOperator<ConsumerRuntime.Builder> consumerCustomizer = b -> b;

  Pipeline(KafkaBroker broker, String topic, IsolatedDatabase db) throws SQLException {
    this.broker = broker;
    this.topic = topic;
    this.db = db;
    this.componentJdbcUrl = db.jdbcUrl();
    exec(
        "CREATE TABLE business (id BIGSERIAL PRIMARY KEY, event_id UUID NOT NULL UNIQUE,"
            + " k TEXT NOT NULL, seq INT NOT NULL)");
    exec(
        "CREATE TABLE effect (seq BIGSERIAL PRIMARY KEY, event_id UUID NOT NULL, k TEXT NOT NULL,"
            + " worker TEXT)");
    this.log = new LogRecorder(broker, topic);
  }

  /** Starts one more relay instance with its own connection pool. */
  /**
   * Starts one relay and one consumer with client settings for a broker that goes away: quick
   * reconnects, and sends that block at most 2 s on missing metadata.
   */
  void startForBrokerOutage() {
    clientOverrides.put("reconnect.backoff.max.ms", 500);
    clientOverrides.put("max.block.ms", 2000);
    startRelay();
    startConsumer();
  }

  /** Heap in use after a full GC: the memory bound of the outage scenarios. */
  static long usedHeapAfterGc() {
    System.gc();
    return java.lang.management.ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }

  OutboxRelay startRelay() {
    Map<String, Object> producer = new HashMap<>(broker.clientProperties());
    producer.putAll(clientOverrides);
    OutboxRelay relay =
        relayCustomizer
            .apply(
                OutboxRelay.builder()
                    .jdbcUrl(componentJdbcUrl, db.user(), db.password())
                    .producerProperties(producer)
                    .lanes(LANES)
                    .batchSize(relayBatchSize)
                    .workers(relayWorkers)
                    .pollInterval(Duration.ofMillis(100))
                    .leaseDuration(leaseDuration)
                    .backoff(Duration.ofMillis(50), Duration.ofSeconds(1))
                    .closeTimeout(Duration.ofSeconds(10))
                    .cursorClaims(cursorClaims)
                    .instanceId("relay-" + instances.incrementAndGet()))
            .build();
    relay.start();
    relays.add(relay);
    return relay;
  }

  /** Kills a relay instance: no batch finished, no lease released, no membership left. */
  void crash(OutboxRelay relay) {
    relays.remove(relay);
    ((DefaultOutboxRelay) relay).simulateCrash();
  }

  /** Closes a relay instance gracefully. */
  void stop(OutboxRelay relay) {
    relays.remove(relay);
    relay.close();
  }

  /** Starts one more consumer instance of the group, with its own connection pool. */
  ConsumerRuntime startConsumer() {
    Map<String, Object> props = new HashMap<>(broker.clientProperties());
    props.put("auto.offset.reset", "earliest");
    props.putAll(clientOverrides);
    ConsumerRuntime runtime =
        consumerCustomizer
            .apply(
                ConsumerRuntime.builder()
                    .consumerProperties(props)
                    .jdbcUrl(componentJdbcUrl, db.user(), db.password())
                    .threads(consumerThreads)
                    .maxBatchSize(50)
                    .pollTimeout(Duration.ofMillis(50))
                    .closeTimeout(Duration.ofSeconds(10))
                    .listener(listener.get()))
            .build();
    runtime.start();
    consumers.add(runtime);
    return runtime;
  }

  /** The listener that writes one effect row per event, in the handler's transaction. */
  ListenerDefinition effectListener() {
    return ListenerDefinition.builder()
        .topic(topic)
        .group(group)
        .ordering(Ordering.KEY)
        .handler(this::insertEffect)
        .build();
  }

  /** Writes the effect row of one delivery in its transaction. */
  void insertEffect(dev.keel.consumer.Delivery d) throws SQLException {
    try (PreparedStatement ps =
        d.connection()
            .prepareStatement("INSERT INTO effect (event_id, k, worker) VALUES (?, ?, ?)")) {
      ps.setObject(1, d.event().id());
      ps.setString(2, d.event().key().orElseThrow());
      ps.setString(3, Thread.currentThread().getName());
      ps.executeUpdate();
    }
    handled.incrementAndGet();
  }

  void stop(ConsumerRuntime runtime) {
    consumers.remove(runtime);
    runtime.close();
  }

  /** Events handled (effects committed or attempted) so far in this JVM. */
  int handled() {
    return handled.get();
  }

  /** Records read from the topic so far, duplicates included. */
  int logSize() {
    return log.size();
  }

  /** Distinct event ids read from the topic so far. */
  long logDistinct() {
    return log.distinct();
  }

  long committedCount() {
    return count("SELECT COUNT(*) FROM business");
  }

  long distinctEffects() {
    return count("SELECT COUNT(DISTINCT event_id) FROM effect");
  }

  /**
   * Waits until every committed event has reached the log and has its effect, or the time is up;
   * the checker then reports what is missing.
   *
   * @return whether everything arrived
   */
  boolean awaitDelivered(Duration atMost) {
    try {
      await()
          .atMost(atMost)
          .pollInterval(Duration.ofMillis(500))
          .ignoreExceptions()
          .until(
              () -> {
                long committed = committedCount();
                return distinctEffects() >= committed && logDistinct() >= committed;
              });
      return true;
    } catch (ConditionTimeoutException e) {
      return false;
    }
  }

  /**
   * Waits until the group's committed offsets reach the end of every partition: every record,
   * duplicates included, went through a consumer.
   */
  void awaitGroupCaughtUp(Duration atMost) {
    await()
        .atMost(atMost)
        .pollInterval(Duration.ofMillis(250))
        .ignoreExceptions()
        .until(() -> lag() == 0);
  }

  /** Records of the topic not yet committed by the group. */
  long lag() throws Exception {
    try (Admin admin = Admin.create(broker.clientProperties())) {
      Map<TopicPartition, OffsetAndMetadata> committed =
          admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get();
      Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
      admin
          .describeTopics(List.of(topic))
          .allTopicNames()
          .get()
          .get(topic)
          .partitions()
          .forEach(
              pi -> latest.put(new TopicPartition(topic, pi.partition()), OffsetSpec.latest()));
      long lag = 0;
      for (var e : admin.listOffsets(latest).all().get().entrySet()) {
        OffsetAndMetadata c = committed.get(e.getKey());
        lag += e.getValue().offset() - (c == null ? 0 : c.offset());
      }
      return lag;
    }
  }

  /** Compares the database, the rolled-back ids, the raw log and the effect table. */
  DeliveryReport check() throws SQLException {
    return check(Set.of());
  }

  /**
   * Compares as {@link #check()} does, leaving out events that are expected to have no effect
   * (poison that stays poison); the caller checks those on their own.
   */
  DeliveryReport check(Set<UUID> excluded) throws SQLException {
    return check(excluded, Set.of());
  }

  /** Compares only the events of keys not in {@code excludedKeys}, leaving out some ids too. */
  DeliveryReport check(Set<UUID> excluded, Set<String> excludedKeys) throws SQLException {
    return DeliveryChecker.create()
        .committed(
            without(
                query("SELECT event_id, k FROM business ORDER BY k, seq"), excluded, excludedKeys))
        .rolledBack(rolledBack)
        .log(without(log.values(), excluded, excludedKeys))
        .effects(
            without(query("SELECT event_id, k FROM effect ORDER BY seq"), excluded, excludedKeys))
        .check();
  }

  private static List<Observation> without(
      List<Observation> in, Set<UUID> excluded, Set<String> excludedKeys) {
    return in.stream()
        .filter(o -> !excluded.contains(o.id()) && !excludedKeys.contains(o.key()))
        .toList();
  }

  /** The committed events, from the business table. */
  List<Observation> committedEvents() throws SQLException {
    return query("SELECT event_id, k FROM business ORDER BY k, seq");
  }

  /** Ids of the committed events, from the business table. */
  Set<UUID> committedIds() throws SQLException {
    Set<UUID> out = new java.util.HashSet<>();
    query("SELECT event_id, k FROM business").forEach(o -> out.add(o.id()));
    return out;
  }

  private List<Observation> query(String sql) throws SQLException {
    List<Observation> out = new ArrayList<>();
    try (Connection c = db.dataSource().getConnection();
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery(sql)) {
      while (rs.next()) {
        out.add(new Observation(rs.getObject(1, UUID.class), rs.getString(2)));
      }
    }
    return out;
  }

  void exec(String sql) throws SQLException {
    try (Connection c = db.dataSource().getConnection();
        Statement st = c.createStatement()) {
      st.execute(sql);
    }
  }

  long count(String sql) {
    try (Connection c = db.dataSource().getConnection();
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() throws InterruptedException {
    for (ConsumerRuntime c : consumers) {
      c.close();
    }
    for (OutboxRelay r : relays) {
      r.close();
    }
    log.close();
  }
}
