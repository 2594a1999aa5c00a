package dev.keel.test;

import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Creates topics whose names are unique to one test, so tests sharing a broker never see each
 * other's records. Thread-safe.
 */
public final class Topics {
  private static final AtomicInteger COUNTER = new AtomicInteger();
  private final KafkaBroker broker;
  private final String scope;

  /**
   * @param broker where topics are created
   * @param scope a readable part of every name, such as the test method
   */
  public Topics(KafkaBroker broker, String scope) {
    this.broker = broker;
    String clean = scope.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-");
    this.scope = clean.length() > 40 ? clean.substring(0, 40) : clean;
  }

  /**
   * Creates a topic named {@code <base>-<scope>-<n>}.
   *
   * @param base the readable part, such as {@code orders}
   * @param partitions the partition count
   * @return the created topic's name
   */
  public String create(String base, int partitions) {
    String name = base + "-" + scope + "-" + COUNTER.incrementAndGet();
    broker.createTopic(name, partitions);
    return name;
  }

  /** The broker topics are created on. */
  public KafkaBroker broker() {
    return broker;
  }
}
