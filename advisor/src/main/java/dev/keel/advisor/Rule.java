package dev.keel.advisor;

/**
 * The review rules. Ids are stable: a rule may change its wording, never its id. Each rule carries
 * its severity, a title and the rationale behind it (docs/design.md §2-§6).
 */
public enum Rule {
  /** Events are facts. */
  EVENT_NOT_PAST_TENSE(
      "KEEL-R001",
      Severity.WARNING,
      "Event named as a command or not in past tense",
      "An event states a fact that already happened (order.placed). An imperative or present-tense"
          + " name reads as a request, invites consumers to treat it as one and hides who decides."),
  /** Commands go to one handler. */
  COMMAND_AS_EVENT(
      "KEEL-R002",
      Severity.ERROR,
      "Command published as an event",
      "A command asks exactly one service to act. Broadcast on an event topic, or handled by several"
          + " services, it makes every subscriber act on it and nobody owns the outcome."),
  /** Redelivery must be harmless. */
  CONSUMER_NOT_IDEMPOTENT(
      "KEEL-R003",
      Severity.CRITICAL,
      "Consumer without idempotency where retries or replay are possible",
      "Kafka delivers at least once: a retry, a rebalance or a replay hands the same event over"
          + " again. Without deduplication the side effects happen twice."),
  /** Poison needs a place to go. */
  TOPIC_WITHOUT_DLQ(
      "KEEL-R004",
      Severity.ERROR,
      "Topic without a dead-letter queue",
      "A record that can never be processed either blocks its partition or is dropped. A DLQ keeps"
          + " it, with its reason, for operators to inspect and replay."),
  /** A DLQ mirrors its source's partitioning. */
  DLQ_FEWER_PARTITIONS(
      "KEEL-R005",
      Severity.WARNING,
      "Dead-letter topic with fewer partitions than its source",
      "Dead letters keep their record key. With fewer partitions the DLQ cannot mirror the source's"
          + " partitioning, which complicates per-partition replay and spreads keys differently."),
  /** Delay tiers reorder. */
  NON_BLOCKING_RETRY_ORDERED(
      "KEEL-R006",
      Severity.ERROR,
      "Non-blocking retry on an order-sensitive consumer",
      "Retry topics let later records of the same key overtake the failed one: the handler sees"
          + " order.cancelled before order.placed."),
  /** The record key is the ordering key. */
  PARTITION_KEY_MISMATCH(
      "KEEL-R007",
      Severity.ERROR,
      "Partition key different from the declared ordering key",
      "Kafka orders records per partition, and the record key picks the partition. Keyed by another"
          + " field, events of the same ordering key land on different partitions and lose order."),
  /** Dual writes lose events. */
  DB_CHANGE_WITHOUT_OUTBOX(
      "KEEL-R008",
      Severity.CRITICAL,
      "Database change published without an outbox",
      "Writing to the database and to Kafka separately is a dual write: a crash between the two"
          + " loses the event or publishes one whose change was rolled back."),
  /** The bus is asynchronous. */
  REQUEST_RESPONSE_OVER_BUS(
      "KEEL-R009",
      Severity.WARNING,
      "Request-response over the bus where the caller needs an immediate answer",
      "A caller blocked on a reply event waits on consumer lag, rebalances and retries, with no"
          + " natural timeout or back-pressure. A direct call gives the answer or fails fast."),
  /** Contracts need owners and versions. */
  CONTRACT_INCOMPLETE(
      "KEEL-R010",
      Severity.ERROR,
      "Contract without owner or version",
      "Without an owner nobody approves changes; without a version (keel-contract-version)"
          + " consumers cannot tell two shapes apart nor check compatibility."),
  /** Evolution is additive. */
  BREAKING_CONTRACT_CHANGE(
      "KEEL-R011",
      Severity.CRITICAL,
      "Breaking contract change",
      "Consumers deployed today read the previous version. A removed, retyped or newly required"
          + " field, or a new ordering key, breaks them the moment the producer ships."),
  /** Retention covers dedupe and replay. */
  RETENTION_TOO_SHORT(
      "KEEL-R012",
      Severity.ERROR,
      "Topic retention shorter than the dedupe window plus the longest replay",
      "Operators replay and reset offsets over the dedupe window plus the replay window. If the"
          + " topic has already deleted those records, the replay silently misses events."),
  /** Every step can be undone and cannot hang. */
  SAGA_STEP_INCOMPLETE(
      "KEEL-R013",
      Severity.ERROR,
      "Saga step without compensation or timeout",
      "A saga is consistent only if every completed step can be undone when a later one fails,"
          + " and no step waits forever for a reply that was lost."),
  /** Events decouple; calling back re-couples. */
  HIDDEN_SYNC_COUPLING(
      "KEEL-R014",
      Severity.WARNING,
      "Hidden synchronous coupling",
      "A consumer that calls the producer synchronously makes the producer's availability a"
          + " condition of processing its own events: an outage turns into retries and dead letters.");

  private final String id;
  private final Severity severity;
  private final String title;
  private final String rationale;

  Rule(String id, Severity severity, String title, String rationale) {
    this.id = id;
    this.severity = severity;
    this.title = title;
    this.rationale = rationale;
  }

  /** The stable id, such as {@code KEEL-R003}. */
  public String id() {
    return id;
  }

  /** How much a finding of this rule matters. */
  public Severity severity() {
    return severity;
  }

  /** A short title. */
  public String title() {
    return title;
  }

  /** Why the rule exists. */
  public String rationale() {
    return rationale;
  }
}
