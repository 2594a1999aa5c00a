package dev.keel.dlq.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.dlq.DeadLetterQuery;
import dev.keel.dlq.DeadLetterStore;
import dev.keel.dlq.DeadLetters;
import dev.keel.dlq.FailedRecord;
import dev.keel.event.FailureClass;
import dev.keel.event.sql.SqlDialect;
import dev.keel.test.TestTime;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.h2.jdbcx.JdbcDataSource;

/**
 * Parking in ordered mode as a state machine, against a model, on H2 (the SQL layer only; the
 * broker-backed proof is OrderedModeIT). Named invariants, checked after every step:
 *
 * <ul>
 *   <li>BLOCKED: a key is blocked exactly when it has a dead letter not yet resolved;
 *   <li>PARKED_IN_ORDER: a key's parked records are those that arrived while it was blocked, in
 *       arrival order;
 *   <li>OTHERS_FLOW: a record is processed exactly when its key is not blocked (unkeyed: always);
 *   <li>DISCARD_CLEARS: discarding a key's dead letters unblocks it and removes its parked records.
 * </ul>
 */
class ParkingPropertiesTest {
  private static final AtomicInteger DB = new AtomicInteger();
  private static final String TOPIC = "orders";
  private static final String GROUP = "g";

  record Step(boolean discard, String key, boolean poison) {}

  @Provide
  Arbitrary<List<Step>> steps() {
    Arbitrary<String> keys = Arbitraries.of("a", "b", "c", "none");
    return Combinators.combine(
            Arbitraries.integers().between(0, 9), keys, Arbitraries.integers().between(0, 3))
        .as((d, k, p) -> new Step(d == 0, k.equals("none") ? null : k, p == 0))
        .list()
        .ofMaxSize(25);
  }

  @Property(tries = 40, seed = "4242")
  void parkingFollowsTheModel(@ForAll("steps") List<Step> steps) {
    JdbcDataSource ds = new JdbcDataSource();
    ds.setURL("jdbc:h2:mem:parking" + DB.incrementAndGet() + ";DB_CLOSE_DELAY=-1");
    JdbcDeadLetterStore store =
        JdbcDeadLetterStore.over(
            DeadLetterStore.builder().dataSource(ds).dialect(SqlDialect.H2).build());
    store.install();
    DeadLetters ops = DeadLetters.builder().store(store).build(); // discard needs no Kafka
    Set<String> blocked = new HashSet<>();
    Map<String, List<Long>> parked = new LinkedHashMap<>();
    long offset = 0;
    for (Step s : steps) {
      if (s.discard()) {
        if (s.key() != null) {
          ops.discard(DeadLetterQuery.builder().key(s.key()).build(), "prop");
          blocked.remove(s.key()); // DISCARD_CLEARS
          parked.remove(s.key());
        }
      } else {
        long at = offset++;
        FailedRecord r = record(s.key(), at);
        boolean wasParked = store.parkIfBlocked(GROUP, r);
        boolean expectParked = s.key() != null && blocked.contains(s.key());
        assertThat(wasParked).as("OTHERS_FLOW at offset %d", at).isEqualTo(expectParked);
        if (wasParked) {
          parked.computeIfAbsent(s.key(), k -> new ArrayList<>()).add(at);
        } else if (s.poison()) {
          store.insert(deadLetter(r), true);
          if (s.key() != null) {
            blocked.add(s.key());
          }
        }
      }
      for (String k : List.of("a", "b", "c")) {
        assertThat(store.isBlocked(GROUP, TOPIC, k.getBytes(StandardCharsets.UTF_8)))
            .as("BLOCKED %s", k)
            .isEqualTo(blocked.contains(k));
        assertThat(store.parked(GROUP, TOPIC, k))
            .as("PARKED_IN_ORDER %s", k)
            .extracting(p -> p.record().offset())
            .containsExactlyElementsOf(parked.getOrDefault(k, List.of()));
      }
      assertThat(store.blockedKeys()).as("BLOCKED count").isEqualTo(blocked.size());
    }
    ops.close();
  }

  private static FailedRecord record(String key, long offset) {
    return new FailedRecord(
        TOPIC,
        0,
        offset,
        key == null ? null : key.getBytes(StandardCharsets.UTF_8),
        ("v" + offset).getBytes(StandardCharsets.UTF_8),
        List.of(FailedRecord.Header.of("keel-event-id", java.util.UUID.randomUUID().toString())));
  }

  private static NewDeadLetter deadLetter(FailedRecord r) {
    Instant now = TestTime.start();
    return new NewDeadLetter(
        GROUP,
        r.topic(),
        r.partition(),
        r.offset(),
        r.key(),
        null,
        FailureClass.VALIDATION,
        "x.Poison",
        "poison",
        null,
        1,
        now,
        now,
        now,
        r.headers(),
        r.value(),
        null,
        null,
        null);
  }
}
