package dev.keel.outbox.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.common.errors.NotEnoughReplicasException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * A strictly ordered lane, pass after pass, against a producer whose every send the model answers
 * (acknowledged, refused for good as the broker does for a record too large for its topic, or
 * failed for now), in the order Kafka answers a partition: the order of sending. Each time Kafka
 * takes a record, every earlier row of its key must already be published or set aside: no record
 * reaches Kafka while an earlier row of its key may still be published. At the end every row is
 * published exactly once or quarantined.
 */
class StrictLaneModelTest {
  private static final int MAX_ATTEMPTS = 3;

  @Property(tries = 3000)
  void noRecordReachesKafkaBeforeAnEarlierRowOfItsKey(
      @ForAll @Size(min = 1, max = 24) List<@IntRange(min = 0, max = 3) Integer> keys,
      @ForAll @Size(max = 80) List<@IntRange(min = 0, max = 9) Integer> answers,
      @ForAll @IntRange(min = 1, max = 8) int batch) {
    new Lane(keys, answers, batch).drain();
  }

  /** The case the relay used to get wrong: K's first row refused after K's second was sent. */
  @Example
  void aRefusedRowHasNothingOfItsKeyInFlightBehindIt() {
    Lane lane = new Lane(List.of(1, 1, 2), List.of(9, 0), 10);
    lane.drain();
    assertThat(lane.quarantined).containsExactly(1L);
    assertThat(lane.log)
        .as("K's second row goes out after K's first was refused")
        .containsExactly(3L, 2L);
  }

  private static final class Lane {
    final MockProducer<byte[], byte[]> producer =
        new MockProducer<>(false, null, new ByteArraySerializer(), new ByteArraySerializer());
    final List<Row> rows = new ArrayList<>();
    final List<Integer> answers;
    final int batch;
    int next;

    /** Row ids in the order Kafka took them. */
    final List<Long> log = new ArrayList<>();

    final Set<Long> quarantined = new LinkedHashSet<>();
    final List<Row> all = new ArrayList<>();
    int failedSends;
    final Map<Long, Integer> keyOf = new HashMap<>();

    Lane(List<Integer> keys, List<Integer> answers, int batch) {
      for (int i = 0; i < keys.size(); i++) {
        long id = i + 1;
        int k = keys.get(i);
        keyOf.put(id, k);
        String key = k == 0 ? null : "k" + k; // 0: rows without a key, ordered among themselves
        rows.add(
            new Row(id, UUID.randomUUID(), "t", key, "x.happened", 1, null, new byte[1], 0L, 0));
      }
      all.addAll(rows);
      this.answers = answers;
      this.batch = batch;
    }

    /** 0-6: acknowledged, 7: failed for now, 8-9: refused for good; acknowledged once spent. */
    private int answer() {
      return next < answers.size() ? answers.get(next++) : 0;
    }

    void drain() {
      for (int pass = 0; !rows.isEmpty(); pass++) {
        assertThat(pass).as("the lane drains").isLessThan(10_000);
        List<Row> claimed = new ArrayList<>(rows.subList(0, Math.min(batch, rows.size())));
        BatchSender.Pending p =
            BatchSender.start(producer, claimed, true, Set.of(), new HashSet<>());
        int inFlight = producer.history().size() - log.size() - failedSends;
        for (int i = 0; i < inFlight; i++) {
          int a = answer();
          long id = idOf(producer.history().get(log.size() + failedSends));
          if (a <= 6) {
            for (Row earlier : all) {
              if (earlier.id() < id && keyOf.get(earlier.id()).equals(keyOf.get(id))) {
                assertThat(log.contains(earlier.id()) || quarantined.contains(earlier.id()))
                    .as(
                        "row %d reached Kafka while row %d of its key was unresolved",
                        id, earlier.id())
                    .isTrue();
              }
            }
            log.add(id);
            producer.completeNext();
          } else {
            failedSends++;
            producer.errorNext(
                switch (a) {
                  case 9 -> new RecordTooLargeException("too large for the topic");
                  case 8 -> new TopicAuthorizationException("denied");
                  default -> new NotEnoughReplicasException("for now");
                });
          }
        }
        assertThat(BatchSender.await(p, System.nanoTime())).isTrue();
        settle(BatchSender.finish(p));
      }
      assertThat(log).doesNotHaveDuplicates();
      Set<Long> ended = new HashSet<>(log);
      ended.addAll(quarantined);
      assertThat(ended).hasSize(all.size());
      assertThat(log).noneMatch(quarantined::contains);
    }

    private void settle(BatchSender.Outcome out) {
      Set<Long> removed = new HashSet<>();
      out.acked.forEach(r -> removed.add(r.id()));
      out.permanent.forEach(e -> quarantine(e.getKey(), removed));
      for (Map.Entry<Row, String> e : out.retriable) {
        Row r = e.getKey();
        if (r.attempts() + 1 >= MAX_ATTEMPTS) {
          quarantine(r, removed);
        } else {
          replace(r, r.attempts() + 1);
        }
      }
      rows.removeIf(r -> removed.contains(r.id()));
      // a strict lane stops at a quarantined row; the model's operator resumes it at once
    }

    private void quarantine(Row r, Set<Long> removed) {
      quarantined.add(r.id());
      removed.add(r.id());
    }

    private void replace(Row r, int attempts) {
      for (int i = 0; i < rows.size(); i++) {
        if (rows.get(i).id() == r.id()) {
          rows.set(
              i,
              new Row(
                  r.id(),
                  r.eventId(),
                  r.topic(),
                  r.key(),
                  r.type(),
                  r.contractVersion(),
                  r.headersJson(),
                  r.payload(),
                  r.createdAtMillis(),
                  attempts));
        }
      }
    }

    private long idOf(org.apache.kafka.clients.producer.ProducerRecord<byte[], byte[]> record) {
      UUID eventId =
          UUID.fromString(
              new String(
                  record.headers().lastHeader(dev.keel.event.EventHeaders.EVENT_ID).value(),
                  java.nio.charset.StandardCharsets.UTF_8));
      for (Row r : all) {
        if (r.eventId().equals(eventId)) {
          return r.id();
        }
      }
      throw new AssertionError("unknown record " + eventId);
    }
  }
}
