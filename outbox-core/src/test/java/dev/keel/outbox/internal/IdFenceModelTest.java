package dev.keel.outbox.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/**
 * {@link IdFence} against a simulated PostgreSQL: up to three transactions take their transaction
 * id and then row ids (as an append does), append more rows, commit or roll back, in every order,
 * interleaved with the fence's samples, whose two statements (the sequence's last value; a fresh
 * transaction id with a snapshot's xmin) are separate steps. After every step no transaction still
 * open may hold a row id at or below the fence: a claim reading up to the fence would move its
 * cursor past a row that commits later. Once every transaction ended, two samples bring the fence
 * to the last id handed out.
 */
class IdFenceModelTest {

  @Property(tries = 5000)
  void noOpenTransactionHoldsAnIdAtOrBelowTheFence(
      @ForAll @Size(min = 1, max = 80) List<@IntRange(min = 0, max = 5) Integer> steps) {
    Model m = new Model(true);
    for (int step : steps) {
      m.step(step);
      m.check();
    }
    m.endAll();
    m.sample();
    m.sample();
    assertThat(m.fence.fence()).isEqualTo(m.lastId);
  }

  /**
   * The bound read off a snapshot's xmax instead of assigned: T, the youngest transaction, appends
   * while no transaction that started after it has ended; the snapshot does not list T, its xmin
   * equals its xmax, and the fence passes T's row. The model finds it, so the property above can
   * fail.
   */
  @Example
  void aSnapshotsXmaxIsNoBound() {
    Model m = new Model(false);
    m.step(0); // T begins and appends
    m.step(4); // the sample reads the sequence
    m.step(5); // and takes its bound from a snapshot
    assertThat(m.violation()).isTrue();
  }

  /** The simulated database and the fence under test. */
  static final class Model {
    final boolean assignBound;
    final IdFence fence = new IdFence();
    long nextXid = 100;
    long lastId;

    /** Open transactions: xid to the row ids they hold. */
    final TreeMap<Long, List<Long>> open = new TreeMap<>();

    long latestEnded = 99;
    Long sampledId;

    Model(boolean assignBound) {
      this.assignBound = assignBound;
    }

    /**
     * 0: a new transaction appends; 1: the oldest open one appends again; 2: the youngest commits;
     * 3: the oldest rolls back; 4: a sample reads the sequence; 5: the sample's second statement.
     */
    void step(int step) {
      switch (step) {
        case 0 -> {
          if (open.size() < 3) {
            long xid = nextXid++;
            open.put(xid, new ArrayList<>(List.of(++lastId)));
          }
        }
        case 1 -> {
          if (!open.isEmpty()) {
            open.firstEntry().getValue().add(++lastId);
          }
        }
        case 2 -> {
          if (!open.isEmpty()) {
            end(open.lastKey());
          }
        }
        case 3 -> {
          if (!open.isEmpty()) {
            end(open.firstKey());
          }
        }
        case 4 -> sampledId = lastId;
        default -> {
          if (sampledId != null) {
            secondStatement(sampledId);
            sampledId = null;
          }
        }
      }
    }

    private void end(long xid) {
      open.remove(xid);
      latestEnded = Math.max(latestEnded, xid);
    }

    /** The snapshot is taken when the statement starts; the bound is assigned while it runs. */
    private void secondStatement(long id) {
      long xmax = latestEnded + 1;
      long xmin = xmax;
      for (long xid : open.keySet()) {
        if (xid < xmax) {
          xmin = Math.min(xmin, xid); // PostgreSQL lists only the running ids below its xmax
        }
      }
      long bound;
      if (assignBound) {
        bound = nextXid++;
        latestEnded = Math.max(latestEnded, bound); // the sample's statement ends at once
      } else {
        bound = xmax;
      }
      fence.record(id, bound, xmin);
    }

    void sample() {
      step(4);
      step(5);
    }

    void endAll() {
      while (!open.isEmpty()) {
        end(open.firstKey());
      }
    }

    boolean violation() {
      long f = fence.fence();
      return open.values().stream().flatMap(List::stream).anyMatch(id -> id <= f);
    }

    void check() {
      assertThat(violation())
          .as("an open transaction holds an id at or below the fence %d: %s", fence.fence(), open)
          .isFalse();
    }
  }
}
