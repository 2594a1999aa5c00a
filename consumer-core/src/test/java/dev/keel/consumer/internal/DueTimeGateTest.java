package dev.keel.consumer.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The tier due-time gate against Kafka's {@code MockConsumer}: a record that is not due pauses its
 * partition and rewinds it to the record instead of sleeping, the partition resumes once the record
 * is due, and neither a forged timestamp nor a revocation makes a record wait longer than its
 * tier's delay from when the gate saw it.
 */
class DueTimeGateTest {
  private static final TopicPartition TIER1 = new TopicPartition("orders.retry.1", 0);
  private static final TopicPartition TIER2 = new TopicPartition("orders.retry.2", 0);
  private static final Duration D1 = Duration.ofSeconds(10);
  private static final Duration D2 = Duration.ofMinutes(1);

  private final MutableClock clock = new MutableClock(Instant.parse("2026-03-01T12:00:00Z"));
  private final MockConsumer<byte[], byte[]> consumer = new MockConsumer<>("earliest");
  private final DueTimeGate gate = new DueTimeGate(consumer, List.of(D1, D2), clock);

  @BeforeEach
  void assign() {
    consumer.assign(List.of(TIER1, TIER2));
    consumer.updateBeginningOffsets(Map.of(TIER1, 0L, TIER2, 0L));
    consumer.seek(TIER1, 7);
    consumer.seek(TIER2, 0);
  }

  private ConsumerRecord<byte[], byte[]> record(TopicPartition tp, long offset, Instant written) {
    return new ConsumerRecord<>(
        tp.topic(),
        tp.partition(),
        offset,
        written.toEpochMilli(),
        org.apache.kafka.common.record.TimestampType.CREATE_TIME,
        0,
        0,
        new byte[] {1},
        new byte[] {2},
        new org.apache.kafka.common.header.internals.RecordHeaders(),
        java.util.Optional.empty());
  }

  @Test
  void aRecordNotDueYetPausesItsPartitionAndRewindsToIt() {
    ConsumerRecord<byte[], byte[]> r = record(TIER1, 9, clock.instant());
    consumer.seek(TIER1, 12); // the poll read past it

    gate.fetched(List.of(r));
    boolean admitted = gate.admit(r);

    assertThat(admitted).isFalse();
    assertThat(consumer.paused()).containsExactly(TIER1);
    assertThat(consumer.position(TIER1)).isEqualTo(9);
    assertThat(gate.held(TIER1)).isTrue();
    assertThat(gate.pausedPartitions()).isEqualTo(1);

    clock.advance(D1.minusMillis(1));
    gate.resumeDue();
    assertThat(consumer.paused()).containsExactly(TIER1);

    clock.advance(Duration.ofMillis(1));
    gate.resumeDue();
    assertThat(consumer.paused()).isEmpty();
    assertThat(gate.pausedPartitions()).isZero();
    assertThat(gate.admit(r)).isTrue();
  }

  @Test
  void aRecordWrittenLongerAgoThanItsDelayIsDueAtOnce() {
    ConsumerRecord<byte[], byte[]> r = record(TIER1, 7, clock.instant().minus(D1));

    gate.fetched(List.of(r));

    assertThat(gate.admit(r)).isTrue();
    assertThat(consumer.paused()).isEmpty();
  }

  @Test
  void eachTierWaitsItsOwnDelay() {
    ConsumerRecord<byte[], byte[]> r = record(TIER2, 0, clock.instant());
    gate.fetched(List.of(r));

    clock.advance(D1);
    assertThat(gate.admit(r)).isFalse();

    clock.advance(D2.minus(D1));
    gate.resumeDue();
    assertThat(gate.admit(r)).isTrue();
  }

  @Test
  void aForgedFutureTimestampHoldsThePartitionOneDelayFromSightAtMost() {
    ConsumerRecord<byte[], byte[]> r = record(TIER1, 7, clock.instant().plus(Duration.ofDays(30)));

    gate.fetched(List.of(r));

    assertThat(gate.due(r)).isEqualTo(clock.instant().plus(D1));
    assertThat(gate.admit(r)).isFalse();
    clock.advance(D1);
    gate.resumeDue();
    assertThat(gate.admit(r)).isTrue();
  }

  @Test
  void aRecordsWaitStartsWhenItIsFetchedNotWhenItReachesTheHead() {
    Instant written = clock.instant().plus(Duration.ofDays(1)); // forged: only sight counts
    ConsumerRecord<byte[], byte[]> head = record(TIER1, 7, written);
    ConsumerRecord<byte[], byte[]> next = record(TIER1, 8, written);
    gate.fetched(List.of(head, next));

    clock.advance(D1);

    assertThat(gate.admit(head)).isTrue();
    assertThat(gate.admit(next)).isTrue(); // waited alongside the head
  }

  @Test
  void aBackoffHoldsThePartitionAtTheRecordUntilItEnds() {
    ConsumerRecord<byte[], byte[]> r = record(TIER1, 7, clock.instant().minus(D1));
    consumer.seek(TIER1, 8);

    gate.holdUntil(r, clock.instant().plusMillis(100));

    assertThat(consumer.paused()).containsExactly(TIER1);
    assertThat(consumer.position(TIER1)).isEqualTo(7);
    clock.advance(Duration.ofMillis(100));
    gate.resumeDue();
    assertThat(consumer.paused()).isEmpty();
  }

  @Test
  void revocationForgetsThePauseAndTheSightOfItsRecords() {
    ConsumerRecord<byte[], byte[]> r = record(TIER1, 7, clock.instant().plus(Duration.ofDays(1)));
    gate.fetched(List.of(r));
    assertThat(gate.admit(r)).isFalse();

    clock.advance(Duration.ofSeconds(5));
    gate.revoked(List.of(TIER1));

    assertThat(gate.held(TIER1)).isFalse();
    assertThat(gate.pausedPartitions()).isZero();
    // seen again by the next owner: its wait starts afresh
    assertThat(gate.due(r)).isEqualTo(clock.instant().plus(D1));
  }

  @Test
  void aDoneRecordIsForgotten() {
    ConsumerRecord<byte[], byte[]> r = record(TIER1, 7, clock.instant().plus(Duration.ofDays(1)));
    gate.fetched(List.of(r));
    clock.advance(D1);
    assertThat(gate.admit(r)).isTrue();

    gate.done(r);
    clock.advance(Duration.ofSeconds(1));

    assertThat(gate.due(r)).isEqualTo(clock.instant().plus(D1));
  }

  /** A clock the test moves. */
  private static final class MutableClock extends Clock {
    private Instant now;

    MutableClock(Instant start) {
      this.now = start;
    }

    void advance(Duration d) {
      now = now.plus(d);
    }

    @Override
    public Instant instant() {
      return now;
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }
  }
}
