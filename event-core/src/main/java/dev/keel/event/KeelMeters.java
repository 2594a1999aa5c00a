package dev.keel.event;

/**
 * Names of Keel's Micrometer meters ({@code keel.<component>.<noun>}). Tags are bounded: never
 * event ids, keys or saga ids.
 */
public final class KeelMeters {
  /** Gauge: rows waiting in the outbox. */
  public static final String OUTBOX_PENDING = "keel.outbox.pending";

  /** Gauge, seconds: age of the oldest waiting row. */
  public static final String OUTBOX_OLDEST_AGE = "keel.outbox.oldest.age";

  /** Counter: events acknowledged by Kafka. */
  public static final String OUTBOX_PUBLISHED = "keel.outbox.published";

  /** Timer: from commit of the append to Kafka's acknowledgement. */
  public static final String OUTBOX_PUBLISH_LATENCY = "keel.outbox.publish.latency";

  /** Gauge: rows quarantined because they can never be published. */
  public static final String OUTBOX_QUARANTINED = "keel.outbox.quarantined";

  /** Gauge: lanes this relay instance owns. */
  public static final String RELAY_LANES_OWNED = "keel.relay.lanes.owned";

  /** Gauge: strictly ordered lanes stopped at a row they cannot publish. */
  public static final String RELAY_LANES_STOPPED = "keel.relay.lanes.stopped";

  /**
   * Counter, tags {@code group} and {@code
   * result=processed|duplicate|retried|dead_lettered|parked|ignored}.
   */
  public static final String CONSUMER_RECORDS = "keel.consumer.records";

  /** Timer: handler plus dedupe and commit. */
  public static final String CONSUMER_HANDLE_DURATION = "keel.consumer.handle.duration";

  /** Gauge: records behind the log end, tag {@code group}. */
  public static final String CONSUMER_LAG = "keel.consumer.lag";

  /** Counter, tag {@code group}: expired dedupe rows removed by the cleanup. */
  public static final String CONSUMER_DEDUPE_REMOVED = "keel.consumer.dedupe.removed";

  /**
   * Counter, tag {@code group}: cleanup runs that ended at their row or time budget while expired
   * dedupe rows were left.
   */
  public static final String CONSUMER_DEDUPE_CLEANUP_INCOMPLETE =
      "keel.consumer.dedupe.cleanup.incomplete";

  /** Counter, tags {@code group} and {@code reason}: records dead-lettered. */
  public static final String DLQ_RECORDS = "keel.dlq.records";

  /** Counter, tag {@code group}: dead letters replayed, by the consumer group they came from. */
  public static final String DLQ_REPLAYED = "keel.dlq.replayed";

  /** Gauge, tag {@code group}: keys currently parked. */
  public static final String DLQ_PARKED_KEYS = "keel.dlq.parked.keys";

  /**
   * Counter, tag {@code group}: times a retry-tier consumer backed off because moving a failed
   * record on (to the next tier or the dead letters) failed for a reason that can pass, such as the
   * database or the broker being unreachable.
   */
  public static final String DLQ_TIER_DELIVERY_RETRIES = "keel.dlq.tier.delivery.retries";

  /**
   * Counter, tags {@code group} (the orchestrator's consumer group) and {@code saga}: sagas
   * started. Every {@code keel.saga.*} meter of an orchestrator carries its {@code group}, so that
   * two orchestrators on one registry keep their own.
   */
  public static final String SAGA_STARTED = "keel.saga.started";

  /** Counter, tags {@code group} and {@code saga}: sagas completed. */
  public static final String SAGA_COMPLETED = "keel.saga.completed";

  /** Counter, tags {@code group} and {@code saga}: sagas compensated. */
  public static final String SAGA_COMPENSATED = "keel.saga.compensated";

  /**
   * Counter, tags {@code group}, {@code saga} and {@code state=FAILED|COMPENSATION_FAILED}: sagas
   * failed (including compensation failures).
   */
  public static final String SAGA_FAILED = "keel.saga.failed";

  /**
   * Timer, tags {@code group}, {@code saga}, {@code step} and {@code kind=action|compensation}: one
   * saga step from command (or local action) to success.
   */
  public static final String SAGA_STEP_DURATION = "keel.saga.step.duration";

  /** Gauge, tag {@code group}: sagas without progress longer than the stuck threshold. */
  public static final String SAGA_STUCK = "keel.saga.stuck";

  /**
   * Counter, tags {@code group}, {@code saga} and {@code reason}: saga replies refused without
   * being applied (not the answer to the command the saga waits on, or a type no contract
   * declares).
   */
  public static final String SAGA_REPLIES_REJECTED = "keel.saga.replies.rejected";

  /**
   * Counter, tags {@code group} (the participant's consumer group) and {@code reason}: saga
   * commands a participant refused to obey.
   */
  public static final String SAGA_COMMANDS_REJECTED = "keel.saga.commands.rejected";

  private KeelMeters() {}
}
