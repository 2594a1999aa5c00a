package dev.keel.benchmarks;

import dev.keel.event.Event;
import dev.keel.outbox.Outbox;
import dev.keel.outbox.OutboxRelay;
import dev.keel.outbox.OutboxRelayListener;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import javax.sql.DataSource;

/**
 * Keel's relay draining Keel's outbox table: {@code instances} relays of {@code lanes} lanes each,
 * with the relay's defaults otherwise. {@link #prepare} empties the outbox, lease and member
 * tables, starts the relays on the empty outbox and waits until each owns its share of the lanes
 * (as in a running service), then appends the backlog through {@link Outbox#appendAll} in one open
 * transaction; {@link #drain} commits it, which wakes the relays.
 */
public final class KeelDrain implements Contender {
  /**
   * The relay's batch size in the benchmark: its default, or the system property {@code
   * keel.bench.relay-batch} for an experiment (the drain JVM inherits {@code JAVA_TOOL_OPTIONS}).
   */
  public static final int BATCH = Integer.getInteger("keel.bench.relay-batch", 500);

  /**
   * The relay's worker count in the benchmark: its default (0), or the system property {@code
   * keel.bench.relay-workers} for an experiment.
   */
  public static final int WORKERS = Integer.getInteger("keel.bench.relay-workers", 0);

  private static final long SETTLE_MILLIS = 60_000;

  /**
   * The relays' poll interval: a minute, so that they wait for the backlog's NOTIFY; or the system
   * property {@code keel.bench.relay-poll-ms} for an experiment. While the backlog loads, a poll
   * scans every row the open transaction has inserted so far (the rows are not visible, but the
   * claim still steps over each one: about 1.5 s per claim at a million rows), and a poll still
   * running when the backlog commits would hold the drain's first pass back by as long.
   */
  private static final Duration IDLE_POLL =
      Duration.ofMillis(Long.getLong("keel.bench.relay-poll-ms", 60_000));

  private final DataSource ds;
  private final Map<String, Object> producerProperties;
  private final String topic;
  private final int lanes;
  private final int instances;
  private final boolean cursorClaims;
  private final Outbox outbox;
  private final AtomicReference<Progress> current = new AtomicReference<>();
  private final AtomicLong published = new AtomicLong();
  private final List<OutboxRelay> relays = new ArrayList<>();
  private Connection loading;
  private int rows;

  /**
   * @param ds the database, with Keel's outbox schema installed
   * @param producerProperties producer settings, {@code bootstrap.servers} included
   * @param topic where the events go
   * @param lanes the outbox's and the relays' lane count
   * @param instances relays started side by side in this JVM
   */
  public KeelDrain(
      DataSource ds,
      Map<String, Object> producerProperties,
      String topic,
      int lanes,
      int instances) {
    this(ds, producerProperties, topic, lanes, instances, false);
  }

  /**
   * @param ds the database, with Keel's outbox schema installed
   * @param producerProperties producer settings, {@code bootstrap.servers} included
   * @param topic where the events go
   * @param lanes the outbox's and the relays' lane count
   * @param instances relays started side by side in this JVM
   * @param cursorClaims whether the relays claim behind cursors ({@link
   *     OutboxRelay.Builder#cursorClaims})
   */
  public KeelDrain(
      DataSource ds,
      Map<String, Object> producerProperties,
      String topic,
      int lanes,
      int instances,
      boolean cursorClaims) {
    this.cursorClaims = cursorClaims;
    this.ds = ds;
    this.producerProperties = Map.copyOf(producerProperties);
    this.topic = topic;
    this.lanes = lanes;
    this.instances = instances;
    this.outbox = Outbox.builder().lanes(lanes).build();
  }

  @Override
  public String id() {
    return (cursorClaims ? "keel-cursor-" : "keel-") + lanes + "x" + instances;
  }

  @Override
  public String name() {
    return "Keel relay, "
        + (cursorClaims ? "cursor claims, " : "")
        + lanes
        + " lanes, "
        + instances
        + " instance"
        + (instances > 1 ? "s" : "");
  }

  @Override
  public void prepare(int rows) throws Exception {
    this.rows = rows;
    Backlog.reset(ds, "keel_outbox", "keel_outbox_lease", "keel_outbox_member");
    published.set(0);
    current.set(null);
    OutboxRelayListener listener =
        new OutboxRelayListener() {
          @Override
          public void onPublished(int lane, int count) {
            published.addAndGet(count);
            Progress p = current.get();
            if (p != null) {
              p.add(count);
            }
          }
        };
    for (int i = 0; i < instances; i++) {
      OutboxRelay.Builder builder =
          OutboxRelay.builder()
              .dataSource(ds)
              .producerProperties(producerProperties)
              .lanes(lanes)
              .batchSize(BATCH)
              .pollInterval(IDLE_POLL)
              .createSchema(false)
              .listener(listener)
              .instanceId("bench-" + i)
              .cursorClaims(cursorClaims);
      if (WORKERS > 0) {
        builder.workers(WORKERS);
      }
      OutboxRelay relay = builder.build();
      relays.add(relay);
      relay.start();
    }
    awaitEvenShares();
    loading = ds.getConnection();
    loading.setAutoCommit(false);
    for (int start = 0; start < rows; start += 1000) {
      List<Event> batch = new ArrayList<>(1000);
      for (int i = start; i < Math.min(rows, start + 1000); i++) {
        batch.add(Workload.event(topic, i));
      }
      outbox.appendAll(loading, batch);
    }
    Backlog.analyze(loading, "keel_outbox");
  }

  /** Waits until the relays own every lane between them, evenly (as they do once settled). */
  private void awaitEvenShares() throws InterruptedException {
    long deadline = System.nanoTime() + SETTLE_MILLIS * 1_000_000L;
    while (true) {
      int sum = 0;
      int min = Integer.MAX_VALUE;
      int max = 0;
      for (OutboxRelay r : relays) {
        int n = r.ownedLanes().size();
        sum += n;
        min = Math.min(min, n);
        max = Math.max(max, n);
      }
      if (sum == lanes && max - min <= 1) {
        return;
      }
      if (System.nanoTime() - deadline > 0) {
        throw new IllegalStateException(
            name() + ": lanes not shared out within " + SETTLE_MILLIS + " ms (" + sum + " owned)");
      }
      Thread.sleep(10);
    }
  }

  @Override
  public void drain(Progress progress) throws Exception {
    current.set(progress);
    loading.commit(); // the backlog appears and NOTIFY wakes the relays: the clock runs
    progress.await(600_000);
  }

  @Override
  public void finish() throws Exception {
    close();
    long left = Backlog.count(ds, "keel_outbox");
    if (left != 0 || published.get() != rows) {
      throw new IllegalStateException(
          name() + ": " + published.get() + " of " + rows + " published, " + left + " rows left");
    }
  }

  @Override
  public void close() {
    Backlog.closeQuietly(loading);
    loading = null;
    for (OutboxRelay r : relays) {
      r.close();
    }
    relays.clear();
    current.set(null);
  }
}
