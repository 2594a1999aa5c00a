package dev.keel.saga.internal;

import dev.keel.consumer.ConsumerRuntime;
import dev.keel.consumer.ListenerDefinition;
import dev.keel.event.FailureClass;
import dev.keel.event.KeelConfigurationException;
import dev.keel.event.NonRetriableKeelException;
import dev.keel.event.RetriableKeelException;
import dev.keel.event.config.KeelDatabase;
import dev.keel.event.config.SchemaPolicy;
import dev.keel.event.json.JsonCodec;
import dev.keel.event.sql.SqlDialect;
import dev.keel.event.support.SqlStates;
import dev.keel.saga.RemoteCommand;
import dev.keel.saga.SagaAdmin;
import dev.keel.saga.SagaDefinition;
import dev.keel.saga.SagaOrchestrator;
import dev.keel.saga.SagaStep;
import dev.keel.saga.StepContract;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The orchestrator: a reply consumer, a deadline scanner and the engine they share. */
public final class DefaultSagaOrchestrator implements SagaOrchestrator {
  private static final Logger log = LoggerFactory.getLogger(DefaultSagaOrchestrator.class);

  private final OrchestratorConfig config;
  private final Map<String, SagaDefinition<?>> definitions = new LinkedHashMap<>();
  private final SagaMetrics metrics;
  private volatile SagaEngine engine;
  private volatile SagaStore store;
  private volatile DeadlineScanner scanner;
  private ConsumerRuntime runtime;
  private ScheduledExecutorService scheduler;
  private boolean started;
  private volatile boolean closed;

  /**
   * An orchestrator; use {@link SagaOrchestrator#builder()}.
   *
   * @param config the validated configuration
   */
  public DefaultSagaOrchestrator(OrchestratorConfig config) {
    this.config = config;
    for (SagaDefinition<?> d : config.definitions()) {
      definitions.put(d.name(), d);
    }
    this.metrics = new SagaMetrics(config.meterRegistry(), config.group(), definitions.keySet());
  }

  @Override
  public synchronized void start() {
    if (started || closed) {
      throw new IllegalStateException("SagaOrchestrator already started or closed");
    }
    started = true;
    SqlDialect dialect =
        config.dialect() != null ? config.dialect() : SqlDialect.detect(config.dataSource());
    init(dialect);
    KeelDatabase database =
        KeelDatabase.builder()
            .dataSource(config.dataSource())
            .dialect(dialect)
            .tableNames(config.tableNames())
            .schemaPolicy(config.schemaPolicy())
            .build();
    database.prepare("saga");
    if (config.schemaPolicy() == SchemaPolicy.NONE) {
      // nothing installed or checked the tables: a missing one stops the start here, as a
      // configuration error, rather than failing every saga and reply as a retriable error
      database.requireTables("saga", "saga", "saga_step_log", "saga_audit");
    }
    Set<String> replyTopics = new LinkedHashSet<>();
    definitions.values().forEach(d -> d.replyTopic().ifPresent(replyTopics::add));
    if (!replyTopics.isEmpty()) {
      ConsumerRuntime.Builder b =
          ConsumerRuntime.builder()
              .consumerProperties(config.consumerProperties())
              .dataSource(config.dataSource())
              .dialect(dialect)
              .tableNames(config.tableNames())
              .schemaPolicy(config.schemaPolicy())
              .clock(config.clock())
              .meterRegistry(config.meterRegistry());
      for (String topic : replyTopics) {
        replyListeners(topic).forEach(b::listener);
      }
      runtime = config.consumerCustomizer().apply(b).build();
      runtime.start();
    }
    scheduler =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "keel-saga-deadlines");
              t.setDaemon(true);
              return t;
            });
    long every = config.scanInterval().toMillis();
    scheduler.scheduleWithFixedDelay(this::scanQuietly, every, every, TimeUnit.MILLISECONDS);
    log.info(
        "Keel saga orchestrator started: {} definitions, group {}",
        definitions.size(),
        config.group());
  }

  /**
   * One listener per reply type the definitions on this topic declare, and one for every other
   * type: a contract error, dead-lettered (unless a step uses the deprecated string forms, whose
   * failure types are not declared; the engine then checks the type against the step).
   */
  private List<ListenerDefinition> replyListeners(String topic) {
    Set<String> types = new TreeSet<>();
    Set<String> sagas = new TreeSet<>();
    boolean untyped = false;
    for (SagaDefinition<?> d : definitions.values()) {
      if (!d.replyTopic().map(topic::equals).orElse(false)) {
        continue;
      }
      sagas.add(d.name());
      for (SagaStep<?> step : d.steps()) {
        for (StepContract<?, ?> c :
            Stream.of(SagaEngine.command(step.action()), SagaEngine.command(step.compensation()))
                .flatMap(Optional::stream)
                .map(RemoteCommand::contract)
                .toList()) {
          types.add(c.successType());
          types.addAll(c.failureTypes());
          untyped |= c.isUntyped();
        }
      }
    }
    String sagaTag = sagas.size() == 1 ? sagas.iterator().next() : "unknown";
    List<ListenerDefinition> out = new ArrayList<>();
    for (String type : types) {
      out.add(
          ListenerDefinition.builder()
              .name("saga replies " + topic + "/" + type)
              .topic(topic)
              .group(config.group())
              .eventType(type)
              .handler(d -> engine.onReply(d.connection(), d.event()))
              .build());
    }
    boolean anyType = untyped;
    out.add(
        ListenerDefinition.builder()
            .name("saga replies " + topic + "/(other types)")
            .topic(topic)
            .group(config.group())
            .handler(
                d -> {
                  if (anyType) {
                    engine.onReply(d.connection(), d.event());
                  } else {
                    engine.onUnknownReplyType(sagaTag, d.event());
                  }
                })
            .build());
    return out;
  }

  private synchronized void init(SqlDialect dialect) {
    if (engine == null) {
      store = new SagaStore(dialect, config.tableNames());
      engine =
          new SagaEngine(
              definitions, store, config.outbox(), JsonCodec.create(), config.clock(), metrics);
      scanner =
          new DeadlineScanner(
              config.dataSource(), store, engine, config.clock(), config.scanBatchSize());
    }
  }

  private void ensureInit(Connection tx) throws SQLException {
    if (engine == null) {
      init(config.dialect() != null ? config.dialect() : SqlDialect.detect(tx));
    }
  }

  @Override
  public <D> UUID start(Connection tx, SagaDefinition<D> definition, D data) {
    if (definition == null || definitions.get(definition.name()) != definition) {
      throw new KeelConfigurationException(
          "SagaOrchestrator.start: definition "
              + (definition == null ? "null" : definition.name())
              + " is not registered with this orchestrator");
    }
    if (data == null) {
      throw new KeelConfigurationException(
          "SagaOrchestrator.start: data of saga " + definition.name() + " must not be null");
    }
    try {
      if (tx.getAutoCommit()) {
        throw new KeelConfigurationException(
            "SagaOrchestrator.start: saga "
                + definition.name()
                + " must start in an open transaction (auto-commit is on)");
      }
      ensureInit(tx);
      return engine.start(tx, definition, data);
    } catch (SQLException e) {
      String message = "Saga " + definition.name() + " could not be started: " + e.getMessage();
      if (SqlStates.isDataException(e.getSQLState())) {
        // the database refused the data itself (such as U+0000 in a string of the saga data)
        throw new NonRetriableKeelException(FailureClass.VALIDATION, message, e);
      }
      throw new RetriableKeelException(message, e);
    }
  }

  @Override
  @SuppressWarnings("unchecked")
  public UUID start(Connection tx, String sagaName, Object data) {
    SagaEngine.requireDefinition(definitions, sagaName);
    SagaDefinition<Object> def = (SagaDefinition<Object>) definitions.get(sagaName);
    if (data == null || !def.dataType().isInstance(data)) {
      throw new KeelConfigurationException(
          "SagaOrchestrator.start: saga "
              + sagaName
              + " needs data of type "
              + def.dataType().getName()
              + ", was "
              + (data == null ? "null" : data.getClass().getName()));
    }
    return start(tx, def, data);
  }

  @Override
  public int scanDeadlinesNow() {
    if (engine == null) {
      init(config.dialect() != null ? config.dialect() : SqlDialect.detect(config.dataSource()));
    }
    int handled = scanner.scan();
    metrics.stuck(admin().countStuck(config.stuckThreshold()));
    return handled;
  }

  private void scanQuietly() {
    if (closed) {
      return;
    }
    try {
      scanDeadlinesNow();
    } catch (RuntimeException e) {
      log.warn("Keel saga deadline scan failed: {}", e.getMessage());
    }
  }

  @Override
  public SagaAdmin admin() {
    return SagaAdmin.builder()
        .dataSource(config.dataSource())
        .dialect(store != null ? store.dialect() : config.dialect())
        .tableNames(config.tableNames())
        .clock(config.clock())
        .build();
  }

  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    if (scheduler != null) {
      scheduler.shutdown();
      try {
        scheduler.awaitTermination(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    if (runtime != null) {
      runtime.close();
    }
    metrics.close();
  }
}
