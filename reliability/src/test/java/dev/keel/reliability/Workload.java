package dev.keel.reliability;

import dev.keel.event.Event;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import javax.sql.DataSource;

/**
 * Business transactions: each writes rows of a {@code business} table and appends their events to
 * the outbox in the same transaction, then commits (or rolls back, at the given rate). Each key
 * belongs to one appender thread, so a key's transactions commit one after another and their {@code
 * seq} is the key's commit order. A failure before the commit counts as a rollback; a failure of
 * the commit itself leaves the outcome to the database (the checker reads what committed from the
 * business table).
 */
final class Workload implements AutoCloseable {
  private final Pipeline pipeline;
  private final DataSource dataSource;
  private final int events;
  private final int keys;
  private final int threads;
  private final double rollbackRate;
  private final int perSecond;
  private final int eventsPerTx;
  private final List<Thread> workers = new ArrayList<>();
  private final AtomicInteger attempted = new AtomicInteger();
  private final AtomicInteger committed = new AtomicInteger();
  private final AtomicLong failures = new AtomicLong();
  private volatile boolean stopped;

  /** Holds a transaction open for a while before it commits (late commits); 0 for none. */
  volatile double lateCommitRate;

  Duration lateCommitDelay = Duration.ofMillis(300);

  /** Applied to every event before it is appended (to make some of them poison, say). */
  java.util.function.UnaryOperator<Event> transform = e -> e;

  /** Prefix of this workload's keys; two workloads of one pipeline need different prefixes. */
  String keyPrefix = "key-";

  Workload(
      Pipeline pipeline,
      DataSource dataSource,
      int events,
      int keys,
      int threads,
      double rollbackRate,
      int perSecond) {
    this.pipeline = pipeline;
    this.dataSource = dataSource;
    this.events = events;
    this.keys = keys;
    this.threads = threads;
    this.rollbackRate = rollbackRate;
    this.perSecond = perSecond;
    this.eventsPerTx = 10;
  }

  Workload start() {
    for (int t = 0; t < threads; t++) {
      int me = t;
      Thread w = new Thread(() -> run(me), "appender-" + t);
      w.setDaemon(true);
      workers.add(w);
      w.start();
    }
    return this;
  }

  private void run(int me) {
    Random random = new Random(me * 7919L + 13);
    int[] seq = new int[keys];
    int quota = events / threads + (me < events % threads ? 1 : 0);
    int mine = (keys - me + threads - 1) / threads; // keys k with k % threads == me
    long nanosPerTx =
        perSecond <= 0 ? 0 : TimeUnit.SECONDS.toNanos(1) * eventsPerTx * threads / perSecond;
    long next = System.nanoTime();
    int done = 0;
    while (done < quota && !stopped) {
      int n = Math.min(eventsPerTx, quota - done);
      List<Event> batch = new ArrayList<>(n);
      List<int[]> rows = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        int k = me + threads * random.nextInt(mine);
        rows.add(new int[] {k, seq[k]++});
        batch.add(event(keyPrefix + k, k, seq[k] - 1));
      }
      boolean rollback = random.nextDouble() < rollbackRate;
      boolean late = random.nextDouble() < lateCommitRate;
      attempted.addAndGet(n);
      transact(batch, rows, rollback, late);
      done += n;
      if (nanosPerTx > 0) {
        next += nanosPerTx;
        long wait = next - System.nanoTime();
        if (wait > 0) {
          LockSupport.parkNanos(wait);
        }
      }
    }
  }

  private Event event(String key, int k, int seq) {
    return transform.apply(
        Event.builder()
            .id(UUID.randomUUID())
            .type("item.added")
            .topic(pipeline.topic)
            .key(key)
            .source("reliability")
            .payload(("{\"k\":" + k + ",\"seq\":" + seq + "}").getBytes(StandardCharsets.UTF_8))
            .build());
  }

  private void transact(List<Event> batch, List<int[]> rows, boolean rollback, boolean late) {
    boolean committing = false;
    try (Connection c = dataSource.getConnection()) {
      try {
        c.setAutoCommit(false);
        pipeline.outbox.appendAll(c, batch);
        try (PreparedStatement ps =
            c.prepareStatement("INSERT INTO business (event_id, k, seq) VALUES (?, ?, ?)")) {
          for (int i = 0; i < batch.size(); i++) {
            ps.setObject(1, batch.get(i).id());
            ps.setString(2, batch.get(i).key().orElseThrow());
            ps.setInt(3, rows.get(i)[1]);
            ps.addBatch();
          }
          ps.executeBatch();
        }
        if (late) {
          LockSupport.parkNanos(lateCommitDelay.toNanos());
        }
        if (rollback) {
          c.rollback();
          batch.forEach(e -> pipeline.rolledBack.add(e.id()));
          return;
        }
        committing = true;
        c.commit();
        committed.addAndGet(batch.size());
      } catch (SQLException | RuntimeException e) {
        failures.incrementAndGet();
        if (!committing) {
          try {
            c.rollback();
          } catch (SQLException ignored) {
            // the connection is gone: the server rolls the transaction back
          }
          batch.forEach(ev -> pipeline.rolledBack.add(ev.id()));
        }
        pause();
      }
    } catch (SQLException e) {
      failures.incrementAndGet(); // no connection: nothing was written
      pause();
    }
  }

  private static void pause() {
    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
  }

  /** Events attempted so far (committed, rolled back or failed). */
  int attempted() {
    return attempted.get();
  }

  /** Events whose commit returned normally. */
  int committed() {
    return committed.get();
  }

  /** Transactions that failed with an exception. */
  long failures() {
    return failures.get();
  }

  boolean isDone() {
    return workers.stream().noneMatch(Thread::isAlive);
  }

  /** Waits for every appender to finish its quota. */
  void join() throws InterruptedException {
    for (Thread w : workers) {
      w.join();
    }
  }

  @Override
  public void close() throws InterruptedException {
    stopped = true;
    join();
  }
}
