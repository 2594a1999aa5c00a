package dev.keel.consumer.internal;

import dev.keel.consumer.IdempotencyKey;
import dev.keel.consumer.ListenerDefinition;
import dev.keel.consumer.Ordering;
import dev.keel.event.KeelConfigurationException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The listeners of one group on one topic: one Kafka consumer, one worker pool, a handler per event
 * type and at most one for every other type. Immutable.
 */
public final class SubscriptionPlan {
  private final String group;
  private final String topic;
  private final Map<String, ListenerDefinition> byType;
  private final ListenerDefinition fallback;
  private final Ordering ordering;
  private final int concurrency;

  private SubscriptionPlan(
      String group,
      String topic,
      Map<String, ListenerDefinition> byType,
      ListenerDefinition fallback,
      Ordering ordering,
      int concurrency) {
    this.group = group;
    this.topic = topic;
    this.byType = Collections.unmodifiableMap(byType);
    this.fallback = fallback;
    this.ordering = ordering;
    this.concurrency = concurrency;
  }

  /**
   * Groups the definitions by group and topic and checks that they agree.
   *
   * @param defaultThreads the runtime's default worker threads
   * @throws KeelConfigurationException naming both listeners when two handle one type, or disagree
   *     on ordering or concurrency
   */
  public static List<SubscriptionPlan> plan(List<ListenerDefinition> all, int defaultThreads) {
    checkBusinessKeys(all);
    Map<String, List<ListenerDefinition>> bySubscription = new LinkedHashMap<>();
    for (ListenerDefinition d : all) {
      bySubscription
          .computeIfAbsent(d.group() + "\u0000" + d.topic(), k -> new ArrayList<>())
          .add(d);
    }
    List<SubscriptionPlan> plans = new ArrayList<>();
    for (List<ListenerDefinition> defs : bySubscription.values()) {
      plans.add(one(defs, defaultThreads));
    }
    return plans;
  }

  /**
   * Dedupe rows are {@code (group, key)}: two listeners of one group with business keys would take
   * an event of one type for a duplicate of another type with the same key value. Refused rather
   * than made part of the key, so that dedupe rows already written keep matching.
   */
  private static void checkBusinessKeys(List<ListenerDefinition> all) {
    Map<String, ListenerDefinition> businessKeyed = new HashMap<>();
    for (ListenerDefinition d : all) {
      if (d.idempotencyKey().source() == IdempotencyKey.Source.EVENT_ID) {
        continue;
      }
      ListenerDefinition previous = businessKeyed.putIfAbsent(d.group(), d);
      if (previous != null) {
        throw new KeelConfigurationException(
            "Listeners "
                + previous.name()
                + " ("
                + previous.eventType().orElse("any type")
                + ", idempotencyKey "
                + previous.idempotencyKey()
                + ") and "
                + d.name()
                + " ("
                + d.eventType().orElse("any type")
                + ", idempotencyKey "
                + d.idempotencyKey()
                + ") of group "
                + d.group()
                + " both use a business idempotency key: dedupe rows are per group, so an event"
                + " of one would be skipped as a duplicate of the other whenever the key values"
                + " match. Give each its own group, or use the event id");
      }
    }
  }

  private static SubscriptionPlan one(List<ListenerDefinition> defs, int defaultThreads) {
    ListenerDefinition first = defs.get(0);
    Map<String, ListenerDefinition> byType = new HashMap<>();
    ListenerDefinition fallback = null;
    int concurrency = 0;
    ListenerDefinition concurrencyFrom = null;
    for (ListenerDefinition d : defs) {
      if (d.ordering() != first.ordering()) {
        throw conflict(first, d, "ordering " + first.ordering() + " vs " + d.ordering());
      }
      if (d.concurrency() != 0) {
        if (concurrency != 0 && concurrency != d.concurrency()) {
          throw conflict(
              concurrencyFrom, d, "concurrency " + concurrency + " vs " + d.concurrency());
        }
        concurrency = d.concurrency();
        concurrencyFrom = d;
      }
      ListenerDefinition previous;
      if (d.eventType().isPresent()) {
        previous = byType.putIfAbsent(d.eventType().get(), d);
      } else {
        previous = fallback;
        if (fallback == null) {
          fallback = d;
        }
      }
      if (previous != null) {
        throw new KeelConfigurationException(
            "Two handlers for event type "
                + d.eventType().orElse("(any)")
                + " on topic "
                + d.topic()
                + " in group "
                + d.group()
                + ": "
                + previous.name()
                + " and "
                + d.name());
      }
    }
    return new SubscriptionPlan(
        first.group(),
        first.topic(),
        byType,
        fallback,
        first.ordering(),
        concurrency != 0 ? concurrency : defaultThreads);
  }

  private static KeelConfigurationException conflict(
      ListenerDefinition a, ListenerDefinition b, String what) {
    return new KeelConfigurationException(
        "Listeners of group "
            + a.group()
            + " on topic "
            + a.topic()
            + " share one consumer but disagree on "
            + what
            + ": "
            + a.name()
            + " and "
            + b.name());
  }

  /** The handler of a type, or the fallback, or null when the group ignores the type. */
  public ListenerDefinition handlerFor(String eventType) {
    ListenerDefinition d = byType.get(eventType);
    return d != null ? d : fallback;
  }

  public String group() {
    return group;
  }

  public String topic() {
    return topic;
  }

  public Ordering ordering() {
    return ordering;
  }

  public int concurrency() {
    return concurrency;
  }
}
