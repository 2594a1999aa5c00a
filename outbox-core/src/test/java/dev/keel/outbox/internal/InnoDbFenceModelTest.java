package dev.keel.outbox.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/**
 * {@link InnoDbFence#releasable} against a simulated InnoDB lane: transactions insert rows (id
 * allocation and index insert in one step), commit and roll back in every order between the claim's
 * read at READ UNCOMMITTED and its committed read. No row may go while a row below it is in flight,
 * only committed rows go, and once everything committed a claim lets the whole front go.
 */
class InnoDbFenceModelTest {
  private static final int BATCH = 4;

  @Property(tries = 5000)
  void noRowGoesAheadOfAnOpenTransaction(
      @ForAll @Size(min = 1, max = 100) List<@IntRange(min = 0, max = 599) Integer> choices) {
    Lane lane = new Lane();
    choices.forEach(lane::step);
    lane.drain();
  }

  @Example
  void rowInsertedAndCommittedBetweenTheReadsWaits() {
    Lane lane = new Lane();
    lane.step(5); // dirty read: nothing
    lane.step(0); // T0 inserts id 1
    lane.step(1); // T1 inserts id 2
    lane.step(7); // T1 commits
    lane.step(5); // committed read: id 2, never seen by the dirty read
    assertThat(lane.published).isEmpty();
    lane.drain();
  }

  static final class Txn {
    boolean running = true;
    boolean committed;
  }

  record Row(long id, Txn txn) {}

  static final class Lane {
    final List<Row> rows = new ArrayList<>();
    final List<Long> published = new ArrayList<>();
    final Txn[] slots = new Txn[3];
    long nextId = 1;
    long[] dirty;

    /** Processes 0-2: a transaction slot (insert, insert, end); 3-4 unused; 5: the claim. */
    void step(int choice) {
      int process = choice % 6;
      int bits = choice / 6;
      if (process < 3) {
        Txn t = slots[process];
        if (t == null || !t.running) {
          t = new Txn();
          slots[process] = t;
          rows.add(new Row(nextId++, t));
        } else if ((bits & 1) == 0) {
          rows.add(new Row(nextId++, t));
        } else {
          Txn ending = t;
          ending.running = false;
          ending.committed = bits % 7 != 1;
          if (!ending.committed) {
            rows.removeIf(r -> r.txn == ending);
          }
        }
      } else if (process == 5) {
        claim();
      }
    }

    void claim() {
      if (dirty == null) {
        dirty = rows.stream().limit(BATCH).mapToLong(Row::id).toArray();
        return;
      }
      List<Row> committed = rows.stream().filter(r -> r.txn.committed).limit(BATCH).toList();
      int n = InnoDbFence.releasable(committed.stream().mapToLong(Row::id).toArray(), dirty);
      dirty = null;
      for (int i = 0; i < n; i++) {
        Row r = committed.get(i);
        for (Row other : rows) {
          if (other.id < r.id) {
            assertThat(other.txn.committed)
                .as("row %s goes while row %s below it is in flight", r.id, other.id)
                .isTrue();
          }
        }
        rows.remove(r);
        published.add(r.id);
      }
    }

    void drain() {
      for (Row r : rows) {
        if (r.txn.running) {
          r.txn.running = false;
          r.txn.committed = true;
        }
      }
      dirty = null;
      for (int i = 0; i < 100 && !rows.isEmpty(); i++) {
        claim();
        claim();
      }
      assertThat(rows).isEmpty();
      assertThat(published).isSorted();
    }
  }
}
