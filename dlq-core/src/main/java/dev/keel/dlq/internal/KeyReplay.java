package dev.keel.dlq.internal;

import dev.keel.dlq.DeadLetter;
import dev.keel.dlq.DeadLetterStatus;
import dev.keel.dlq.FailedRecord;
import dev.keel.dlq.ParkedRecord;
import dev.keel.dlq.kafka.KafkaRecordSink;
import dev.keel.event.support.Values;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A replay ({@link KeyAction}): for a blocked key, its selected dead letters, then its parked
 * records a page at a time, each record marked with the key's release token ({@link ReleaseMark})
 * so that the consumer processes it while the key is still blocked and parks everything else. A
 * page is removed from the parked records once Kafka acknowledged all of it; a replay cut off
 * between the two sends that page again when it is run again (at least once).
 *
 * <p>When a new dead letter of the key arrives meanwhile (a replayed record failed again), the
 * release stops: the dead letters it sent are marked {@code REPLAYED}, the page it was sending
 * stays parked, and the records it had sent are parked again in their places when the consumer
 * reads them. Confined to the thread running the replay.
 */
final class KeyReplay extends KeyAction {
  private static final Logger log = LoggerFactory.getLogger(KeyReplay.class);

  private final KafkaRecordSink producer;
  private final String target;
  private final Pacer pacer;

  KeyReplay(
      JdbcDeadLetterStore store,
      Clock clock,
      Duration lease,
      String actor,
      ActionProgress progress,
      KafkaRecordSink producer,
      String target,
      Pacer pacer) {
    super(store, clock, lease, actor, progress);
    this.producer = producer;
    this.target = target;
    this.pacer = pacer;
  }

  /** A transaction's answer: a page to send, or the key's work ended (with what it resolved). */
  private record Step(List<ParkedRecord> page, List<DeadLetter> resolved, boolean halted) {}

  /**
   * A dead letter whose key was redacted is never replayed (see {@link dev.keel.dlq.DeadLetters}).
   */
  @Override
  String refusal(DeadLetter d) {
    return d.keyRedacted() ? DefaultDeadLetters.KEY_REDACTED_REFUSAL : null;
  }

  @Override
  boolean key(BlockSql.Key k, List<DeadLetter> letters) {
    Claim claim = claim(k, letters, true);
    if (claim == null) {
      return false;
    }
    progress.skipped += claim.skipped();
    if (claim.busy() || claim.mine().isEmpty()) {
      return true;
    }
    try {
      release(k, claim);
    } catch (ClaimLost e) {
      throw e;
    } catch (RuntimeException e) {
      giveUp(k, e);
      throw e;
    }
    return true;
  }

  private void release(BlockSql.Key k, Claim claim) {
    for (DeadLetter d : claim.unsent()) {
      pacer.acquire();
      renewIfDue(k);
      producer.send(
          topic(d.topic()),
          d.key(),
          d.payload(),
          new ReleaseMark(claim.token(), true, d.id()).on(d.headers()));
      boolean halted =
          store.write(
              c -> {
                BlockSql.Block b = held(c, k);
                blocks.letterSent(c, d.id(), claim.token());
                return b.halted();
              });
      if (halted) {
        break;
      }
    }
    while (true) {
      Instant now = clock.instant();
      Step step =
          store.write(
              c -> {
                BlockSql.Block b = held(c, k);
                if (b.halted()) {
                  return new Step(
                      null, finish(c, k, claim, DeadLetterStatus.REPLAYED, false), true);
                }
                if (heldByOthers(c, k, claim)) {
                  // the key's other dead letters keep its parked records
                  return new Step(
                      null, finish(c, k, claim, DeadLetterStatus.REPLAYED, false), false);
                }
                List<ParkedRecord> page = blocks.page(c, k, Long.MIN_VALUE, PAGE);
                if (page.isEmpty()) {
                  // nothing parked meanwhile: unblocked under the lock no parking passes
                  return new Step(
                      null, finish(c, k, claim, DeadLetterStatus.REPLAYED, true), false);
                }
                blocks.sending(c, k, Math.max(b.sentThrough(), page.get(page.size() - 1).id()));
                blocks.renew(c, k, now.plus(lease));
                return new Step(page, null, false);
              });
      if (step.page() == null) {
        step.resolved().forEach(progress::resolved);
        if (step.halted()) {
          log.warn(
              "Dead-letter replay: the release of a key of group {} on {} stopped because a new"
                  + " dead letter of the key arrived (a replayed record failed again?); the key"
                  + " stays blocked with its remaining records parked",
              Values.quote(k.group()),
              Values.quote(k.topic()));
        }
        return;
      }
      renewed(now);
      List<ParkedRecord> page = step.page();
      for (ParkedRecord p : page) {
        pacer.acquire();
        renewIfDue(k);
        FailedRecord r = p.record();
        producer.send(
            topic(r.topic()),
            r.key(),
            r.value(),
            new ReleaseMark(claim.token(), false, p.id()).on(r.headers()));
      }
      ReplayHooks.reach(ReplayHooks.Point.PAGE_SENT);
      long first = page.get(0).id();
      long last = page.get(page.size() - 1).id();
      boolean recorded =
          store.write(
              c -> {
                if (held(c, k).halted()) {
                  return false; // the page stays parked: the consumer holds its records again
                }
                blocks.delete(c, k, first, last);
                return true;
              });
      if (recorded) {
        progress.parked += page.size();
      }
      ReplayHooks.reach(ReplayHooks.Point.PAGE_RECORDED);
    }
  }

  @Override
  void alone(DeadLetter d) {
    if (!claimAlone(d)) {
      progress.skipped++;
      return;
    }
    try {
      pacer.acquire();
      producer.send(topic(d.topic()), d.key(), d.payload(), d.headers());
    } catch (RuntimeException e) {
      giveUpAlone(d, e);
      throw e;
    }
    if (resolveAlone(d, DeadLetterStatus.REPLAYED)) {
      progress.resolved(d);
    } else {
      progress.skipped++;
    }
  }

  private String topic(String own) {
    return target != null ? target : own;
  }
}
