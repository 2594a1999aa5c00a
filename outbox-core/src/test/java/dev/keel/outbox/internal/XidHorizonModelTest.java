package dev.keel.outbox.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/**
 * {@link XidHorizon} against a simulated PostgreSQL: transactions that take their ids, append,
 * commit and roll back in every order, interleaved with the relay's samples (start, transaction id
 * and snapshot in either order, end of the query, recording as separate steps) and its claims
 * (settle, snapshot, end and removal as separate steps). Rows go to two lanes, and a claim reads
 * both in one scan in id order from the lower safe id, cut by a limit of {@value #BATCH} rows in
 * all, as {@link LaneClaims#claimPass} does. After every step no committed row that was not removed
 * may lie at or below its lane's safe id; at the end, once everything committed, every row is
 * published and the safe ids catch up. The intermediate steps of the argument in {@link XidHorizon}
 * (the bound is above every transaction that can hold an id up to the pending id; those are ended
 * when the lane takes them for ended) are checked after every step too.
 */
class XidHorizonModelTest {
  private static final int BATCH = 2;

  @Property(tries = 5000)
  void noCommittedRowIsEverBehindTheSafeId(
      @ForAll @Size(min = 1, max = 60) List<@IntRange(min = 0, max = 2399) Integer> choices) {
    Model m = new Model();
    for (int choice : choices) {
      m.burst(choice);
    }
    m.drain();
  }

  /**
   * The schedules of the issue, spelled out. Processes: 0-2 transactions, 3-4 samplers, 5 the
   * worker; a transaction's first choice starts it ({@code 0}: write, append, commit; {@code 6+i}:
   * append, append, commit), {@code 6+i} at its end commits.
   */
  @Example
  void sampleStartedBeforeThePublishIsNotTheBound() {
    // s1 starts, takes its xid and snapshot and ends; P writes; T appends (id 1); P appends (id 2)
    // and commits; the worker publishes P; only then is s1 recorded; s2 sees xmin past s1's bound
    // while T is open; the worker claims; T appends again and commits.
    run(3, 3, 3, 3, 0, 0, 7, 1, 0, 6, 5, 5, 5, 5, 3, 4, 4, 4, 4, 4, 5, 5, 5, 1, 7);
  }

  @Example
  void stragglerCommittingBetweenClaimsIsClaimed() {
    // P writes; T appends (id 1); P appends (id 2) and commits and is published; a sample records
    // the bound; the worker is between claims when T commits; two samples see xmin past the bound;
    // the worker claims again.
    run(
        0, 0, 7, 1, 0, 6, 5, 5, 5, 5, 3, 3, 3, 3, 3, 1, 7, 3, 3, 3, 3, 3, 4, 4, 4, 4, 4, 5, 5, 5,
        5);
  }

  /**
   * A scan cut by its limit before a lane's late row: U appends two rows to lane B, T one to lane
   * A, P (older transaction id) one to lane A behind it and is published; U and T commit; a sample
   * shows every transaction below lane A's bound ended; the next claim reads U's two rows and stops
   * at its limit. It read no row of lane A only up to U's second row: lane A's safe id must stay
   * below T's row.
   */
  @Example
  void scanCutByItsLimitBeforeALateRowDoesNotPassIt() {
    run(0, 0, 7, 13, 13, 2, 2, 2, 0, 6, 5, 5, 5, 5, 7, 8, 3, 3, 3, 3, 3, 5, 5, 5, 5);
  }

  private static void run(int... choices) {
    Model m = new Model();
    for (int choice : choices) {
      m.step(choice);
      m.checkNothingBehindSafeId();
    }
    m.drain();
  }

  static final class Txn {
    long xid;
    boolean running = true;
    boolean committed;
    final boolean sampler;
    int[] program = new int[0];
    int pc;

    Txn(boolean sampler) {
      this.sampler = sampler;
    }
  }

  record Row(long id, int lane, Txn txn) {}

  static final class Sample {
    long n;
    Txn txn = new Txn(true);
    Long xmin;
    boolean hasXid;
  }

  static final class Claim {
    int phase; // 1 settled, 2 read, 3 ended
    List<Row> read = List.of();
    final List<List<Row>> claimed = new ArrayList<>();
  }

  static final class Model {
    final XidHorizon horizon = new XidHorizon();
    final OwnedLane[] lanes = {
      new OwnedLane(0, 1, Long.MAX_VALUE), new OwnedLane(1, 1, Long.MAX_VALUE)
    };
    final List<Txn> txns = new ArrayList<>();
    final List<Row> rows = new ArrayList<>();
    final List<Row> everAppended = new ArrayList<>();
    final List<Row> removed = new ArrayList<>();
    final List<Sample> samples = new ArrayList<>();
    final Txn[] slots = new Txn[3];
    final Sample[] samplers = new Sample[2];
    Claim claim;
    long nextXid = 100;
    long nextId = 1;

    /**
     * Advances one of six processes chosen by {@code choice}: three transaction slots (each runs an
     * optional business write, one or two appends, then commit, or now and then rollback), two
     * samplers and the claiming worker. The rest of {@code choice} picks the variations (a
     * transaction's program, an append's lane, commit or rollback, a sample's order).
     */
    void step(int choice) {
      singleStep(choice);
    }

    /** Like {@link #step}, advancing the chosen process one to four times in a row. */
    void burst(int choice) {
      int times = 1 + choice / 6 % 4;
      int rest = choice % 6 + 6 * (choice / 24);
      for (int i = 0; i < times; i++) {
        singleStep(rest);
        checkNothingBehindSafeId();
      }
    }

    private void singleStep(int choice) {
      int process = choice % 6;
      int bits = choice / 6;
      if (process < 3) {
        Txn t = slots[process];
        if (t == null || !t.running) {
          t = new Txn(false);
          t.program = (bits & 1) == 0 ? new int[] {1, 2, 4} : new int[] {2, 2, 4};
          slots[process] = t;
          txns.add(t);
          return;
        }
        int op = t.program[t.pc++];
        if (op == 1) {
          assignXid(t); // a business write
        } else if (op == 2) {
          append(t, (bits >> 1) & 1);
        } else {
          end(t, bits % 7 != 0);
        }
      } else if (process < 5) {
        advanceSample(process - 3, (bits & 1) == 0);
      } else {
        advanceClaim();
      }
    }

    void advanceSample(int slot, boolean xidFirst) {
      Sample s = samplers[slot];
      if (s == null) {
        samplers[slot] = startSample();
        return;
      }
      if (!s.hasXid && (xidFirst || s.xmin != null)) {
        assignXid(s.txn);
        s.hasXid = true;
      } else if (s.xmin == null) {
        s.xmin = xmin(s.txn);
      } else if (s.txn.running) {
        end(s.txn, true); // the query ends
      } else {
        endSample(s); // the relay records what it read
        samplers[slot] = null;
      }
    }

    void assignXid(Txn t) {
      if (t.xid == 0) {
        t.xid = nextXid++;
      }
    }

    /** As {@link OutboxSql#insert()}: the transaction id first, then the row id. */
    void append(Txn t, int lane) {
      assignXid(t);
      Row row = new Row(nextId++, lane, t);
      rows.add(row);
      everAppended.add(row);
    }

    void end(Txn t, boolean commit) {
      t.running = false;
      t.committed = commit;
      if (!commit) {
        rows.removeIf(r -> r.txn == t);
      }
    }

    long xmin(Txn self) {
      return txns.stream()
          .filter(t -> t.running && t.xid != 0 && t != self)
          .mapToLong(t -> t.xid)
          .min()
          .orElse(nextXid);
    }

    Sample startSample() {
      Sample s = new Sample();
      s.n = horizon.begin();
      samples.add(s);
      txns.add(s.txn);
      return s;
    }

    void endSample(Sample s) {
      horizon.record(s.n, s.txn.xid, s.xmin);
      if (s.txn.running) {
        end(s.txn, true);
      }
      samples.remove(s);
    }

    void advanceClaim() {
      if (claim == null) {
        claim = new Claim();
        for (OwnedLane lane : lanes) {
          horizon.beforeClaim(lane);
        }
        claim.phase = 1;
      } else if (claim.phase == 1) {
        long snapshotXmin = xmin(null);
        long after = Math.min(lanes[0].safeId, lanes[1].safeId);
        claim.read =
            rows.stream()
                .filter(r -> r.txn.committed && r.id > after)
                .sorted(Comparator.comparingLong(Row::id))
                .limit(BATCH)
                .toList();
        for (OwnedLane lane : lanes) {
          List<Row> safe = new ArrayList<>();
          for (Row r : claim.read) {
            if (r.lane != lane.lane) {
              continue;
            }
            if (r.txn.xid >= snapshotXmin) {
              break;
            }
            safe.add(r);
          }
          claim.claimed.add(safe);
        }
        claim.phase = 2;
      } else if (claim.phase == 2) {
        long lastRead = claim.read.isEmpty() ? 0 : claim.read.get(claim.read.size() - 1).id;
        for (OwnedLane lane : lanes) {
          long first =
              claim.read.stream()
                  .filter(r -> r.lane == lane.lane)
                  .mapToLong(Row::id)
                  .findFirst()
                  .orElse(LaneClaims.firstIdOfLaneNotRead(claim.read.size(), BATCH, lastRead));
          horizon.afterClaim(lane, first);
        }
        claim.phase = 3;
      } else {
        for (OwnedLane lane : lanes) {
          List<Row> batch = claim.claimed.get(lane.lane);
          for (Row r : batch) {
            rows.remove(r);
            removed.add(r);
            lane.lastId = Math.max(lane.lastId, r.id);
          }
          if (!batch.isEmpty()) {
            horizon.afterBatch(lane);
          }
        }
        claim = null;
      }
    }

    void checkNothingBehindSafeId() {
      for (OwnedLane lane : lanes) {
        checkNothingBehindSafeId(lane);
      }
    }

    private void checkNothingBehindSafeId(OwnedLane lane) {
      for (Row r : rows) {
        if (r.txn.committed && r.lane == lane.lane) {
          assertThat(r.id)
              .as("committed row %s is at or below lane %s's safe id %s", r.id, r.lane, lane.safeId)
              .isGreaterThan(lane.safeId);
        }
      }
      assertThat(lane.safeId).isLessThanOrEqualTo(lane.lastId);
      // The steps of the argument in XidHorizon, each checked as soon as the lane relies on it.
      if (lane.pendingSeq != 0) {
        for (Row r : everAppended) {
          if (r.lane != lane.lane) {
            continue;
          }
          if (r.id <= lane.pendingId && lane.pendingBound >= 0) {
            assertThat(r.txn.xid)
                .as("bound %s is not above the transaction of row %s", lane.pendingBound, r.id)
                .isLessThan(lane.pendingBound);
          }
          if (r.id <= lane.pendingId && lane.pendingFinished) {
            assertThat(r.txn.running)
                .as("row %s's transaction is taken for ended while open", r.id)
                .isFalse();
          }
        }
      }
    }

    /** Everything commits; then the relay runs whole rounds until nothing is left. */
    void drain() {
      for (Sample s : new ArrayList<>(samples)) {
        if (!s.hasXid) {
          assignXid(s.txn);
          s.hasXid = true;
        }
        if (s.xmin == null) {
          s.xmin = xmin(s.txn);
        }
        endSample(s);
        checkNothingBehindSafeId();
      }
      for (Txn t : txns) {
        if (t.running) {
          end(t, true);
          checkNothingBehindSafeId();
        }
      }
      while (claim != null) {
        advanceClaim();
        checkNothingBehindSafeId();
      }
      for (int round = 0; round < 200 && !drained(); round++) {
        Sample s = startSample();
        assignXid(s.txn);
        s.hasXid = true;
        s.xmin = xmin(s.txn);
        endSample(s);
        for (int i = 0; i < 4; i++) {
          advanceClaim();
          checkNothingBehindSafeId();
        }
      }
      assertThat(rows).as("rows never published").isEmpty();
      for (OwnedLane lane : lanes) {
        assertThat(lane.safeId).isEqualTo(lane.lastId);
      }
    }

    private boolean drained() {
      return rows.isEmpty()
          && lanes[0].safeId == lanes[0].lastId
          && lanes[1].safeId == lanes[1].lastId;
    }
  }
}
