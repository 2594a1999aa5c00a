package dev.keel.outbox.internal;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeTopicsOptions;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Knows which topics exist, so that rows to a missing topic are held back without a send: a send to
 * a topic absent from the producer's metadata blocks the worker thread for {@code max.block.ms} per
 * record. A topic is checked once through the admin client with a short bound; a topic the broker
 * says does not exist is remembered as missing until a retry time that backs off; a check without
 * an answer (broker away, no describe permission) leaves the decision to the send. Thread-safe;
 * shared by a relay's workers.
 */
final class TopicGate implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(TopicGate.class);

  /** The longest a worker waits for an answer about topics it has not seen yet. */
  static final Duration CHECK_TIMEOUT = Duration.ofSeconds(2);

  private final Map<String, Object> adminProperties;
  private final String owner;
  private final Duration retryInitial;
  private final Duration retryMax;

  /** Topics not to ask about again until a System.nanoTime(): present, or without an answer. */
  private final Map<String, Long> present = new ConcurrentHashMap<>();

  private final Map<String, Missing> missing = new ConcurrentHashMap<>();
  private final RelayClients clients;
  private volatile Admin admin;
  private boolean closed;

  /** A topic the broker said does not exist, and when to ask again. */
  record Missing(long retryAtNanos, int checks) {}

  TopicGate(
      Map<String, Object> producerProperties,
      String owner,
      Duration retryInitial,
      Duration retryMax,
      RelayClients clients) {
    this.clients = clients;
    Map<String, Object> p = new HashMap<>();
    for (Map.Entry<String, Object> e : producerProperties.entrySet()) {
      if (AdminClientConfig.configNames().contains(e.getKey())) {
        p.put(e.getKey(), e.getValue());
      }
    }
    p.put(AdminClientConfig.CLIENT_ID_CONFIG, "keel-relay-" + owner + "-topics");
    this.adminProperties = p;
    this.owner = owner;
    this.retryInitial = retryInitial;
    this.retryMax = retryMax;
  }

  /**
   * The topics among {@code topics} that do not exist, each with the time its rows may be tried
   * again. Topics not known yet, or whose retry time came, are checked now (all in one request,
   * waiting at most {@link #CHECK_TIMEOUT}).
   */
  Map<String, Long> missing(Collection<String> topics) {
    long now = System.nanoTime();
    Map<String, Long> out = new HashMap<>();
    List<String> ask = new ArrayList<>();
    for (String topic : topics) {
      Long until = present.get(topic);
      if ((until != null && now - until < 0) || out.containsKey(topic) || ask.contains(topic)) {
        continue;
      }
      Missing m = missing.get(topic);
      if (m != null && now - m.retryAtNanos() < 0) {
        out.put(topic, m.retryAtNanos());
      } else {
        ask.add(topic);
      }
    }
    if (!ask.isEmpty()) {
      check(ask, out);
    }
    return out;
  }

  private void check(List<String> topics, Map<String, Long> out) {
    Admin a = admin();
    if (a == null) {
      return;
    }
    Map<String, KafkaFuture<org.apache.kafka.clients.admin.TopicDescription>> answers =
        a.describeTopics(
                topics, new DescribeTopicsOptions().timeoutMs((int) CHECK_TIMEOUT.toMillis()))
            .topicNameValues();
    long deadline = System.nanoTime() + CHECK_TIMEOUT.toNanos();
    for (String topic : topics) {
      KafkaFuture<?> f = answers.get(topic);
      try {
        f.get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        present.put(topic, System.nanoTime() + Long.MAX_VALUE / 2); // until a send finds it gone
        if (missing.remove(topic) != null) {
          log.info("OutboxRelay {}: topic {} exists now; its rows go out", owner, topic);
        }
      } catch (ExecutionException e) {
        if (e.getCause() instanceof UnknownTopicOrPartitionException) {
          out.put(topic, markMissing(topic));
        } else {
          unsure(topic); // no describe permission, broker away: the send decides
        }
      } catch (TimeoutException e) {
        unsure(topic); // no answer within the bound: the send decides
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  /** Lets sends to a topic the check could not settle go ahead, and asks again later. */
  private void unsure(String topic) {
    present.put(topic, System.nanoTime() + retryMax.toNanos());
  }

  /**
   * Asks again about a topic a send found no metadata for.
   *
   * @return when its rows may be tried again if the broker says it does not exist, else null (the
   *     broker is away or did not say)
   */
  Long recheck(String topic) {
    present.remove(topic);
    Map<String, Long> out = new HashMap<>();
    check(List.of(topic), out);
    return out.get(topic);
  }

  /** Remembers a topic as missing (a check or a send said so); returns when to try it again. */
  long markMissing(String topic) {
    present.remove(topic);
    Missing m =
        missing.compute(
            topic,
            (t, old) -> {
              int checks = old == null ? 1 : old.checks() + 1;
              long delay =
                  Math.min(
                      retryMax.toNanos(),
                      retryInitial.toNanos() << Math.min(20, Math.max(0, checks - 1)));
              return new Missing(System.nanoTime() + delay, checks);
            });
    if (m.checks() == 1) {
      log.warn(
          "OutboxRelay {}: topic {} does not exist; its rows wait (checked again with backoff) and"
              + " are quarantined after maxAttempts checks",
          owner,
          topic);
    }
    return m.retryAtNanos();
  }

  /**
   * Creates the admin client now, so that it has connected by the time the first rows come: its
   * first answer then costs one round trip instead of a connection, which the first pass would wait
   * for.
   */
  void connect() {
    admin();
  }

  private synchronized Admin admin() {
    if (closed) {
      return null;
    }
    if (admin == null) {
      admin = clients.admin(adminProperties).orElse(null);
    }
    return admin;
  }

  @Override
  public synchronized void close() {
    closed = true;
    if (admin != null) {
      admin.close(Duration.ofSeconds(1));
      admin = null;
    }
  }
}
