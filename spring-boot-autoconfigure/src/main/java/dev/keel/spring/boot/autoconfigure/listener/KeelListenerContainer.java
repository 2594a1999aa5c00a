package dev.keel.spring.boot.autoconfigure.listener;

import dev.keel.consumer.ConsumerRuntime;
import dev.keel.consumer.HandlerTransactions;
import dev.keel.consumer.IdempotencyKey;
import dev.keel.consumer.KeelListener;
import dev.keel.consumer.ListenerDefinition;
import dev.keel.event.KeelConfigurationException;
import dev.keel.event.config.KeelDatabase;
import dev.keel.event.config.KeelKafka;
import dev.keel.event.config.KeelSettings;
import dev.keel.event.contract.EventContracts;
import dev.keel.retry.RetryPolicy;
import dev.keel.spring.boot.autoconfigure.KeelLifecycle;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.observation.ObservationRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.aop.support.AopUtils;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.boot.convert.DurationStyle;
import org.springframework.context.SmartLifecycle;
import org.springframework.util.ReflectionUtils;

/**
 * Runs the {@link KeelListener} methods of the context's beans with Keel's consumer runtime,
 * started and stopped with the context (phase {@link KeelLifecycle#CONSUMER_PHASE}: stopped before
 * the relay). Each handler runs in a transaction of the given {@link HandlerTransactions} (the
 * application's transaction manager, when it has one), so that its writes and the dedupe row commit
 * together.
 *
 * <p>Listeners are grouped into as few runtimes as their retry policies allow: one runtime per
 * distinct policy ({@link KeelRetry}, {@code keel.listeners.<id>.retry.*}); the listeners of one
 * consumer group must share a policy. {@code keel.listeners.<id>.*} overrides a listener's
 * ordering, idempotency key and concurrency.
 */
public final class KeelListenerContainer implements SmartLifecycle, DisposableBean {
  private static final Logger log = LoggerFactory.getLogger(KeelListenerContainer.class);

  private final KeelListenerBeans beans;
  private final KeelDatabase database;
  private final KeelKafka kafka;
  private final KeelSettings settings;
  private final Map<String, KeelListenerProperties> perListener;
  private final Map<String, Object> consumerProperties;
  private final HandlerTransactions transactions;
  private final EventContracts contracts;
  private final MeterRegistry meterRegistry;
  private final ObservationRegistry observationRegistry;
  private final List<ConsumerRuntime> runtimes = new CopyOnWriteArrayList<>();
  private volatile boolean running;

  /**
   * A container; nothing is built before {@link #start()}.
   *
   * @param beans the beans with listener methods
   * @param database the shared database (dedupe table)
   * @param kafka the shared cluster
   * @param settings the {@code keel.*} settings ({@code keel.consumer.*})
   * @param perListener {@code keel.listeners.<id>.*}, by id
   * @param consumerProperties Kafka consumer properties over the cluster's ({@code
   *     auto.offset.reset}...)
   * @param transactions who runs the handlers' transactions
   * @param contracts the event contracts payloads are decoded by
   * @param meterRegistry Micrometer's registry, or {@code null}
   * @param observationRegistry the observation registry handlers are observed with, or {@code null}
   *     for none
   */
  public KeelListenerContainer(
      KeelListenerBeans beans,
      KeelDatabase database,
      KeelKafka kafka,
      KeelSettings settings,
      Map<String, KeelListenerProperties> perListener,
      Map<String, Object> consumerProperties,
      HandlerTransactions transactions,
      EventContracts contracts,
      MeterRegistry meterRegistry,
      ObservationRegistry observationRegistry) {
    this.beans = Objects.requireNonNull(beans, "beans");
    this.database = Objects.requireNonNull(database, "database");
    this.kafka = Objects.requireNonNull(kafka, "kafka");
    this.settings = Objects.requireNonNull(settings, "settings");
    this.perListener = Map.copyOf(perListener);
    this.consumerProperties = Map.copyOf(consumerProperties);
    this.transactions = Objects.requireNonNull(transactions, "transactions");
    this.contracts = Objects.requireNonNull(contracts, "contracts");
    this.meterRegistry = meterRegistry;
    this.observationRegistry = observationRegistry;
  }

  /** The runtimes running the listeners (empty before start and after stop); read-only. */
  public List<ConsumerRuntime> runtimes() {
    return List.copyOf(runtimes);
  }

  @Override
  public synchronized void start() {
    if (running || !runtimes.isEmpty()) {
      return;
    }
    Map<RetrySettings, List<ListenerDefinition>> byPolicy = new LinkedHashMap<>();
    Map<String, RetrySettings> groupPolicy = new LinkedHashMap<>();
    Map<String, String> groupFirst = new LinkedHashMap<>();
    List<String> unknownIds = new ArrayList<>(perListener.keySet());
    for (Map.Entry<String, Object> e : beans.beans().entrySet()) {
      Object bean = e.getValue();
      Map<String, KeelRetry> retryByMethod = retryAnnotations(bean);
      for (ListenerDefinition d : ListenerDefinition.annotated(bean, contracts)) {
        KeelListenerProperties p = d.id().map(perListener::get).orElse(null);
        d.id().ifPresent(unknownIds::remove);
        ListenerDefinition def = override(d, p);
        RetrySettings retry = RetrySettings.of(retryByMethod.get(d.name()), p, d.name());
        RetrySettings other = groupPolicy.putIfAbsent(def.group(), retry);
        if (other != null && !other.equals(retry)) {
          throw new KeelConfigurationException(
              "Keel listeners "
                  + groupFirst.get(def.group())
                  + " and "
                  + def.name()
                  + " share consumer group "
                  + def.group()
                  + " but not their retry policy ("
                  + other
                  + " vs "
                  + retry
                  + "): a group has one retry policy");
        }
        groupFirst.putIfAbsent(def.group(), def.name());
        byPolicy.computeIfAbsent(retry, k -> new ArrayList<>()).add(def);
      }
    }
    if (!unknownIds.isEmpty()) {
      throw new KeelConfigurationException(
          "keel.listeners."
              + unknownIds.get(0)
              + ".* configures no listener: no @KeelListener(id = \""
              + unknownIds.get(0)
              + "\") on the context's beans");
    }
    try {
      for (Map.Entry<RetrySettings, List<ListenerDefinition>> e : byPolicy.entrySet()) {
        Map<String, Object> consumer = kafka.clientProperties("consumer");
        consumer.putAll(consumerProperties);
        ConsumerRuntime.Builder b =
            ConsumerRuntime.builder()
                .database(database)
                .kafka(kafka)
                .consumerProperties(consumer)
                .settings(settings)
                .contracts(contracts)
                .retryPolicy(e.getKey().policy())
                .handlerTransactions(transactions);
        if (meterRegistry != null) {
          b.meterRegistry(meterRegistry);
        }
        if (observationRegistry != null) {
          b.observationRegistry(observationRegistry);
        }
        e.getValue().forEach(b::listener);
        ConsumerRuntime runtime = b.build();
        runtimes.add(runtime);
        runtime.start();
        log.info("Keel listeners started: {}", runtime.listeners());
      }
    } catch (RuntimeException | Error e) {
      closeAll();
      throw e;
    }
    running = true;
  }

  private static ListenerDefinition override(ListenerDefinition d, KeelListenerProperties p) {
    if (p == null) {
      return d;
    }
    ListenerDefinition.Builder b = d.toBuilder();
    if (p.getOrdering() != null) {
      b.ordering(p.getOrdering());
    }
    if (p.getIdempotencyKey() != null) {
      try {
        b.idempotencyKey(IdempotencyKey.parse(p.getIdempotencyKey()));
      } catch (KeelConfigurationException e) {
        throw new KeelConfigurationException(
            "keel.listeners." + d.id().orElseThrow() + ".idempotency-key: " + e.getMessage());
      }
    }
    if (p.getConcurrency() != null) {
      b.concurrency(p.getConcurrency());
    }
    return b.build();
  }

  /** The {@link KeelRetry} of each annotated method, keyed as the definitions name methods. */
  private static Map<String, KeelRetry> retryAnnotations(Object bean) {
    Map<String, KeelRetry> out = new LinkedHashMap<>();
    ReflectionUtils.doWithMethods(
        AopUtils.getTargetClass(bean),
        m -> {
          KeelRetry r = m.getAnnotation(KeelRetry.class);
          if (r != null) {
            out.put(ListenerDefinition.nameOf(m), r);
          }
        },
        m -> m.isAnnotationPresent(KeelListener.class));
    return out;
  }

  @Override
  public void stop() {
    closeAll();
  }

  /** Closes the runtimes when the context is destroyed without a stop (a failed refresh). */
  @Override
  public void destroy() {
    closeAll();
  }

  @Override
  public void stop(Runnable callback) {
    Thread t =
        new Thread(
            () -> {
              try {
                closeAll();
              } finally {
                callback.run();
              }
            },
            "keel-listeners-stop");
    t.start();
  }

  private synchronized void closeAll() {
    running = false;
    for (ConsumerRuntime r : runtimes) {
      try {
        r.close();
      } catch (RuntimeException e) {
        log.warn("Keel listeners: a runtime did not stop cleanly: {}", e.toString());
      }
    }
    runtimes.clear();
  }

  @Override
  public boolean isRunning() {
    return running;
  }

  @Override
  public int getPhase() {
    return KeelLifecycle.CONSUMER_PHASE;
  }

  /** The retry settings of a listener: annotation, then properties over it. */
  record RetrySettings(
      Integer maxAttempts, Duration initialDelay, Duration maxDelay, Double multiplier) {

    static RetrySettings of(KeelRetry a, KeelListenerProperties p, String listener) {
      Integer attempts = null;
      Duration initial = null;
      Duration max = null;
      Double multiplier = null;
      if (a != null) {
        attempts = a.maxAttempts() > 0 ? a.maxAttempts() : null;
        initial = duration(a.initialDelay(), listener, "initialDelay");
        max = duration(a.maxDelay(), listener, "maxDelay");
        multiplier = a.multiplier() > 0 ? a.multiplier() : null;
      }
      if (p != null) {
        KeelListenerProperties.Retry r = p.getRetry();
        attempts = r.getMaxAttempts() != null ? r.getMaxAttempts() : attempts;
        initial = r.getInitialDelay() != null ? r.getInitialDelay() : initial;
        max = r.getMaxDelay() != null ? r.getMaxDelay() : max;
        multiplier = r.getMultiplier() != null ? r.getMultiplier() : multiplier;
      }
      return new RetrySettings(attempts, initial, max, multiplier);
    }

    private static Duration duration(String text, String listener, String attribute) {
      if (text.isEmpty()) {
        return null;
      }
      try {
        return DurationStyle.detectAndParse(text);
      } catch (IllegalArgumentException e) {
        throw new KeelConfigurationException(
            listener + ": @KeelRetry." + attribute + " is not a duration: \"" + text + "\"");
      }
    }

    RetryPolicy policy() {
      RetryPolicy.Builder b = RetryPolicy.builder();
      if (maxAttempts != null) {
        b.maxAttempts(maxAttempts);
      }
      if (initialDelay != null) {
        b.initialDelay(initialDelay);
      }
      if (maxDelay != null) {
        b.maxDelay(maxDelay);
      }
      if (multiplier != null) {
        b.multiplier(multiplier);
      }
      return b.build();
    }
  }
}
