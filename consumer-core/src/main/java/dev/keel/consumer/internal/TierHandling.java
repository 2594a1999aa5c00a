package dev.keel.consumer.internal;

import dev.keel.dlq.DeadLetterHeaders;
import dev.keel.dlq.DeadLetterPublisher;
import dev.keel.dlq.FailedRecord;
import dev.keel.dlq.RetryTiers;
import dev.keel.dlq.TierRoute;
import dev.keel.dlq.kafka.KafkaFailedRecords;
import dev.keel.event.FailureAction;
import dev.keel.event.FailureClass;
import dev.keel.event.FatalKeelException;
import dev.keel.event.KeelException;
import dev.keel.event.RetriableKeelException;
import dev.keel.event.support.Values;
import dev.keel.retry.Failure;
import dev.keel.retry.FailureClassifier;
import io.micrometer.core.instrument.Counter;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The poll loop's handling of delay-tier records: each record through the {@link DueTimeGate}, then
 * the handler on the poll thread, then on failure {@link RetryTiers#route} (next tier) or the
 * {@link DeadLetterPublisher} (after the last tier), for the original group. A record is completed
 * in its partition's tracker only once it is done, so nothing past a waiting or backing-off record
 * is committed. Poll thread only.
 */
final class TierHandling implements PollLoop.Handling {
  private static final Logger log = LoggerFactory.getLogger(TierHandling.class);
  private static final Duration FIRST_BACKOFF = Duration.ofMillis(100);
  private static final Duration MAX_BACKOFF = Duration.ofSeconds(10);

  private final String group;
  private final String originalGroup;
  private final boolean onlyOwnGroup;
  private final RetryTiers tiers;
  private final DeadLetterPublisher publisher;
  private final FailureClassifier classifier;
  private final TierLoop.Handler handler;
  private final Clock clock;
  private final Counter retries;
  private final DueTimeGate gate;
  private final Map<TopicPartition, Pending> pending = new HashMap<>();

  /**
   * A failed record whose move to the next tier or the dead letters is being retried, with the
   * failure its handler had (the handler does not run again) and the backoff last waited.
   */
  private record Pending(long offset, FailedRecord record, Failure failure, Duration backoff) {}

  TierHandling(TierLoop.Spec spec, DueTimeGate gate, Counter retries) {
    this.group = spec.group();
    this.originalGroup = spec.originalGroup();
    this.onlyOwnGroup = spec.onlyOwnGroup();
    this.tiers = spec.tiers();
    this.publisher = spec.publisher();
    this.classifier = spec.classifier();
    this.handler = spec.handler();
    this.clock = spec.clock();
    this.gate = gate;
    this.retries = retries;
  }

  @Override
  public void beforePoll() {
    gate.resumeDue();
  }

  @Override
  public void revoked(Collection<TopicPartition> partitions) {
    gate.revoked(partitions);
    partitions.forEach(pending::remove); // the next owner runs the handler again
  }

  @Override
  public void handle(
      TopicPartition tp, List<ConsumerRecord<byte[], byte[]>> records, PartitionTracker t) {
    if (gate.held(tp)) {
      return; // fetched before the pause; it will be read again after the rewind
    }
    gate.fetched(records);
    for (ConsumerRecord<byte[], byte[]> r : records) {
      if (ofAnotherGroup(r)) {
        // every group of the source topic moves its failures to the same tiers: not ours
        complete(t, r);
        continue;
      }
      if (!gate.admit(r)) {
        return; // paused and rewound until it is due
      }
      Instant backOffUntil = process(tp, r);
      if (backOffUntil != null) {
        // moving it on failed (broker or database down): try again after the backoff,
        // without committing past it and without blocking the loop
        gate.holdUntil(r, backOffUntil);
        return;
      }
      complete(t, r);
    }
  }

  private void complete(PartitionTracker t, ConsumerRecord<byte[], byte[]> r) {
    gate.done(r);
    if (t.dispatched(r.offset())) {
      t.finished(r.offset());
    }
  }

  /**
   * Whether the record failed in another group than this consumer's original group. Every group
   * that reads a source topic moves its failed records to the same tiers, {@code
   * <topic>.retry.<n>}; a tier consumer given its original group (as the consumer runtime gives it)
   * handles the records its own group moved there, named by {@code keel-dlq-group}, and skips the
   * others, which another group's handler failed on. One whose original group is only derived from
   * its name handles every record, and so does any consumer for a record without the header
   * (written by hand). The header only selects records for this group's handler, as a write to the
   * source topic would; failures are still recorded for the original group, never for the header's
   * group.
   */
  private boolean ofAnotherGroup(ConsumerRecord<byte[], byte[]> r) {
    if (!onlyOwnGroup) {
      return false; // its original group was guessed from its name: skipping could lose retries
    }
    org.apache.kafka.common.header.Header h = r.headers().lastHeader(DeadLetterHeaders.GROUP);
    if (h == null || h.value() == null) {
      return false;
    }
    return !originalGroup.equals(new String(h.value(), StandardCharsets.UTF_8));
  }

  /**
   * Handles one record and moves it on when it fails; null when done, otherwise when to try moving
   * it on again. A record whose move is being retried is not handled again.
   */
  private Instant process(TopicPartition tp, ConsumerRecord<byte[], byte[]> r) {
    Pending retry = pending.remove(tp);
    if (retry != null && retry.offset() != r.offset()) {
      retry = null; // the partition moved (a seek elsewhere): this is another record
    }
    FailedRecord record;
    Failure failure;
    if (retry != null) {
      record = retry.record();
      failure = retry.failure();
    } else {
      record = KafkaFailedRecords.of(r);
      try {
        handler.handle(record);
        return null;
      } catch (Exception e) {
        Instant now = clock.instant();
        FailureClass failureClass = classifier.classify(e);
        if (failureClass.defaultAction() == FailureAction.FAIL_FAST) {
          // Fatal: neither forwarded nor dead-lettered; the loop stops before committing it.
          throw e instanceof FatalKeelException
              ? (FatalKeelException) e
              : new FatalKeelException(
                  "Retry tier consumer " + group + ": " + record + " failed fatally", e);
        }
        failure = new Failure(originalGroup, failureClass, e, 1, now, now);
      }
    }
    String step = "forwarding";
    try {
      TierRoute route = tiers.route(record, failure);
      if (!route.forwarded()) {
        step = "dead-lettering";
        publisher.publish(route.original(), route.failure());
      }
      return null;
    } catch (RetriableKeelException e) {
      Duration backoff =
          retry == null
              ? FIRST_BACKOFF
              : retry.backoff().multipliedBy(2).compareTo(MAX_BACKOFF) > 0
                  ? MAX_BACKOFF
                  : retry.backoff().multipliedBy(2);
      pending.put(tp, new Pending(r.offset(), record, failure, backoff));
      if (retries != null) {
        retries.increment();
      }
      log.warn(
          "Retry tier consumer {} (group {}): {} {}-{}@{} failed ({}); trying again in {}",
          group,
          Values.quote(originalGroup),
          step,
          r.topic(),
          r.partition(),
          r.offset(),
          e.getMessage(),
          backoff);
      return clock.instant().plus(backoff);
    } catch (KeelException e) {
      // Cannot pass by retrying (refused as data even all-base64, or refused by Kafka): stop, as
      // the consumer runtime does, with the record uncommitted.
      throw new FatalKeelException(
          "Retry tier consumer "
              + group
              + ": "
              + step
              + " "
              + record
              + " failed for good: "
              + e.getMessage(),
          e);
    }
  }
}
