package dev.keel.consumer.internal;

import dev.keel.consumer.HandlerTransactions;
import dev.keel.dlq.DeadLetterPublisher;
import dev.keel.dlq.FailedRecord;
import dev.keel.dlq.RetryTiers;
import dev.keel.dlq.TierRoute;
import dev.keel.dlq.kafka.KafkaFailedRecords;
import dev.keel.event.FailureAction;
import dev.keel.event.FatalKeelException;
import dev.keel.event.RetriableKeelException;
import dev.keel.event.TraceContext;
import dev.keel.event.sql.SqlDialect;
import dev.keel.retry.Failure;
import dev.keel.retry.InPlaceRetry;
import dev.keel.retry.RetryOutcome;
import dev.keel.retry.RetryPolicy;
import java.sql.Connection;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import javax.sql.DataSource;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Processes the records of one lane: dedupe insert and handler in one transaction, commit, then the
 * record counts as finished. Failures go through the in-place retry and, when the policy gives up,
 * to the dead-letter publisher. Called by the worker threads; thread-safe.
 */
final class RecordProcessor implements Consumer<List<Work>> {
  private static final Logger log = LoggerFactory.getLogger(RecordProcessor.class);
  private static final Duration MAX_PUBLISH_BACKOFF = Duration.ofSeconds(10);

  private final SubscriptionPlan plan;
  private final RecordPreparer preparer;
  private final DataSource dataSource;
  private final HandlerTransactions transactions;
  private final SqlDialect dialect;
  private final DedupeStore dedupe;
  private final InPlaceRetry retry;
  private final AbandonableSleeper sleeper;
  private final DeadLetterPublisher publisher;
  private final RetryTiers tiers;
  private final RetryPolicy policy;
  private final boolean ordered;
  private final ConsumerMetrics metrics;
  private final Clock clock;
  private final Consumer<Throwable> fatal;
  private final ProcessObservations observations;

  RecordProcessor(
      SubscriptionPlan plan,
      RecordPreparer preparer,
      DataSource dataSource,
      HandlerTransactions transactions,
      SqlDialect dialect,
      DedupeStore dedupe,
      InPlaceRetry retry,
      AbandonableSleeper sleeper,
      DeadLetterPublisher publisher,
      RetryTiers tiers,
      RetryPolicy policy,
      boolean ordered,
      ConsumerMetrics metrics,
      Clock clock,
      Consumer<Throwable> fatal,
      ProcessObservations observations) {
    this.plan = plan;
    this.preparer = preparer;
    this.dataSource = dataSource;
    this.transactions = transactions;
    this.dialect = dialect;
    this.dedupe = dedupe;
    this.retry = retry;
    this.sleeper = sleeper;
    this.publisher = publisher;
    this.tiers = tiers;
    this.policy = policy;
    this.ordered = ordered;
    this.metrics = metrics;
    this.clock = clock;
    this.fatal = fatal;
    this.observations = observations;
  }

  @Override
  public void accept(List<Work> batch) {
    try {
      run(batch);
    } catch (RuntimeException | Error e) {
      // A bug or an Error (out of memory...): stop rather than leave the partition stalled.
      batch.forEach(Work::skip);
      fatal.accept(e);
    }
  }

  /**
   * A batch in one transaction; when it fails at a known record, the records before it again as a
   * batch, the failed record alone (the failed batch counting as its first attempt), then the
   * records after it as a batch. Any other failure: each record alone.
   */
  private void run(List<Work> batch) {
    if (batch.isEmpty()) {
      return;
    }
    if (batch.size() > 1 && !ordered && batch.stream().noneMatch(Work::abandoned)) {
      BatchFailure f = tryBatch(batch);
      if (f == null) {
        return;
      }
      if (f.index() >= 0) {
        run(batch.subList(0, f.index()));
        Work failed = batch.get(f.index());
        if (failed.abandoned()) {
          failed.skip(); // revoked or closing: the next owner handles it
        } else {
          processAlone(failed, f.error());
        }
        run(batch.subList(f.index() + 1, batch.size()));
        return;
      }
    }
    for (Work w : batch) {
      if (w.abandoned()) {
        w.skip();
      } else {
        processAlone(w, null);
      }
    }
  }

  /** Where a batch failed: the record's index (-1 when not one record's fault) and the error. */
  private record BatchFailure(int index, Throwable error) {}

  /** All records in one transaction; null when committed, else why nothing was. */
  private BatchFailure tryBatch(List<Work> batch) {
    long start = System.nanoTime();
    Result[] results = new Result[batch.size()];
    int[] at = {-1};
    try {
      transactions.inTransaction(
          dataSource,
          c -> {
            applyAll(c, batch, results, at);
            at[0] = -1; // the commit is no one record's fault
            return null;
          });
    } catch (Exception | Error e) {
      log.debug("Keel consumer: a batch of {} failed at {}", batch.size(), at[0], e);
      return new BatchFailure(at[0], e);
    }
    long each = (System.nanoTime() - start) / batch.size();
    for (int i = 0; i < batch.size(); i++) {
      finish(batch.get(i), results[i], each);
    }
    return null;
  }

  /**
   * One record under the retry policy.
   *
   * @param firstFailure when not null, how its first attempt (in a failed batch) ended
   */
  private void processAlone(Work w, Throwable firstFailure) {
    long start = System.nanoTime();
    RetryOutcome<Attempted> outcome;
    sleeper.enter(w);
    try {
      outcome =
          retry.call(
              n -> {
                if (n > 1) {
                  metrics.retried(plan.group());
                }
                try {
                  if (n == 1 && firstFailure != null) {
                    rethrow(firstFailure); // the batch was this record's first attempt
                  }
                  return new Attempted(attempt(w.record, n), null);
                } catch (FatalKeelException e) {
                  return new Attempted(null, e); // stop, do not ask the policy
                }
              });
    } finally {
      sleeper.leave();
    }
    boolean interrupted = Thread.interrupted();
    if (outcome.succeeded() && outcome.value().fatal() != null) {
      w.skip();
      fatal.accept(outcome.value().fatal());
    } else if (outcome.succeeded()) {
      finish(w, outcome.value().result(), System.nanoTime() - start);
    } else if (interrupted || w.abandoned()) {
      w.skip(); // closing or revoked while retrying: the next owner handles it
    } else {
      giveUp(w, outcome);
    }
  }

  /** How an attempt ended without an error for the policy: a result, or a fatal failure. */
  private record Attempted(Result result, FatalKeelException fatal) {}

  private Result attempt(ConsumerRecord<byte[], byte[]> record, int attempt) throws Exception {
    if (ordered && publisher.parkIfBlocked(plan.group(), KafkaFailedRecords.of(record))) {
      return Result.PARKED;
    }
    Prepared p = preparer.prepare(record);
    if (p.listener() == null) {
      return Result.IGNORED;
    }
    return transactions.inTransaction(
        dataSource,
        new HandlerTransactions.Work<Result>() {
          @Override
          public Result apply(Connection c) throws Exception {
            return RecordProcessor.this.apply(c, p, record, attempt);
          }

          @Override
          public boolean commit(Result r) {
            return r != Result.DUPLICATE; // a duplicate wrote nothing: no commit to wait for
          }
        });
  }

  /**
   * The dedupe rows of the whole batch in one statement (where the dialect allows), then the
   * handlers of the records whose rows were new, in record order, in the caller's transaction.
   */
  private void applyAll(Connection c, List<Work> batch, Result[] results, int[] at)
      throws Exception {
    Prepared[] prepared = new Prepared[batch.size()];
    List<String> keys = new ArrayList<>(batch.size());
    for (int i = 0; i < batch.size(); i++) {
      at[0] = i;
      prepared[i] = preparer.prepare(batch.get(i).record);
      if (prepared[i].listener() != null) {
        keys.add(prepared[i].key());
      }
    }
    at[0] = -1;
    boolean[] fresh = dedupe.insertAll(c, plan.group(), keys, clock.instant());
    int k = 0;
    for (int i = 0; i < batch.size(); i++) {
      at[0] = i;
      Prepared p = prepared[i];
      if (p.listener() == null) {
        results[i] = Result.IGNORED;
      } else if (!fresh[k++]) {
        results[i] = Result.DUPLICATE;
      } else {
        handle(p, batch.get(i).record, c, 1);
        results[i] = Result.PROCESSED;
      }
    }
  }

  /**
   * The handler, with the event's trace context current (events it appends continue it), inside a
   * {@code process <topic>} observation when a registry observes.
   */
  private void handle(Prepared p, ConsumerRecord<byte[], byte[]> record, Connection c, int attempt)
      throws Exception {
    try (TraceContext.Scope scope = TraceContext.open(p.event().traceParent().orElse(null))) {
      DefaultDelivery delivery = new DefaultDelivery(p, c, dialect, attempt);
      if (observations.off()) {
        p.listener().handler().handle(delivery);
      } else {
        observations.observe(
            p, record, plan.group(), attempt, () -> p.listener().handler().handle(delivery));
      }
    }
  }

  /** Dedupe insert, then the handler, in the caller's transaction. */
  private Result apply(Connection c, Prepared p, ConsumerRecord<byte[], byte[]> record, int attempt)
      throws Exception {
    if (p.listener() == null) {
      return Result.IGNORED;
    }
    if (!dedupe.insert(c, plan.group(), p.key(), clock.instant())) {
      return Result.DUPLICATE;
    }
    handle(p, record, c, attempt);
    return Result.PROCESSED;
  }

  private void giveUp(Work w, RetryOutcome<?> outcome) {
    String why =
        outcome.failureClass().tag()
            + " after "
            + outcome.attempts()
            + " attempt(s): "
            + outcome.lastError().getClass().getName();
    if (outcome.action() == FailureAction.FAIL_FAST) {
      w.skip();
      fatal.accept(
          new FatalKeelException(
              "Keel consumer group "
                  + plan.group()
                  + ": record "
                  + w.where()
                  + " failed ("
                  + why
                  + ") and the retry policy says FAIL_FAST",
              outcome.lastError()));
      return;
    }
    boolean toTier = tiers != null && policy.action(outcome.failureClass()) == FailureAction.RETRY;
    log.warn(
        "Keel consumer group {}: {} {} ({})",
        plan.group(),
        toTier ? "moving to a delay tier or dead-lettering" : "dead-lettering",
        w.where(),
        why);
    log.debug(
        "Keel consumer group {}: last error of {}", plan.group(), w.where(), outcome.lastError());
    FailedRecord record = failed(w);
    Result ended;
    Duration backoff = Duration.ofMillis(100);
    sleeper.enter(w);
    try {
      while (true) {
        if (w.abandoned()) {
          w.skip();
          return;
        }
        try {
          ended = deliver(record, outcome.toFailure(plan.group()), toTier);
          break;
        } catch (RetriableKeelException e) {
          log.warn(
              "Keel consumer group {}: dead-lettering {} failed ({}); retrying in {}",
              plan.group(),
              w.where(),
              e.getMessage(),
              backoff);
          try {
            sleeper.sleep(backoff);
          } catch (InterruptedException ie) {
            Thread.interrupted();
            w.skip();
            return;
          }
          backoff =
              backoff.multipliedBy(2).compareTo(MAX_PUBLISH_BACKOFF) > 0
                  ? MAX_PUBLISH_BACKOFF
                  : backoff.multipliedBy(2);
        } catch (RuntimeException e) {
          w.skip();
          fatal.accept(
              new FatalKeelException(
                  "Keel consumer group "
                      + plan.group()
                      + ": cannot dead-letter "
                      + w.where()
                      + ": "
                      + e.getMessage(),
                  e));
          return;
        }
      }
    } finally {
      sleeper.leave();
    }
    finish(w, ended, 0);
  }

  /** To the next delay tier when there is one for it, otherwise to the dead letters. */
  private Result deliver(FailedRecord record, Failure failure, boolean toTier) {
    if (toTier) {
      TierRoute route = tiers.route(record, failure);
      if (route.forwarded()) {
        return Result.DELAYED;
      }
      publisher.publish(route.original(), route.failure());
      return Result.DEAD_LETTERED;
    }
    publisher.publish(record, failure);
    return Result.DEAD_LETTERED;
  }

  /**
   * A record from a delay tier of this subscription: one attempt, with the same dedupe row and
   * transaction as on the source topic. Called by the tier consumer, which moves a failed record on
   * to the next tier or the dead letters.
   *
   * @throws Exception the attempt's failure
   */
  void handleTierRecord(FailedRecord r) throws Exception {
    RecordHeaders headers = new RecordHeaders();
    r.headers().forEach(h -> headers.add(h.name(), h.value()));
    ConsumerRecord<byte[], byte[]> record =
        new ConsumerRecord<>(
            r.topic(),
            r.partition(),
            r.offset(),
            ConsumerRecord.NO_TIMESTAMP,
            TimestampType.NO_TIMESTAMP_TYPE,
            ConsumerRecord.NULL_SIZE,
            ConsumerRecord.NULL_SIZE,
            r.key(),
            r.value(),
            headers,
            Optional.empty());
    int attempt = RetryTiers.tierOf(r.topic(), tiers.delays().size()).orElse(0) + 1;
    long start = System.nanoTime();
    Result result = attempt(record, attempt);
    metrics.record(plan.group(), result);
    if (result == Result.PROCESSED || result == Result.DUPLICATE) {
      metrics.handled(plan.group(), System.nanoTime() - start);
    }
  }

  private void finish(Work w, Result result, long nanos) {
    metrics.record(plan.group(), result);
    if (result == Result.PROCESSED || result == Result.DUPLICATE) {
      metrics.handled(plan.group(), nanos);
    }
    w.finish();
  }

  private static void rethrow(Throwable t) throws Exception {
    if (t instanceof Exception e) {
      throw e;
    }
    throw (Error) t;
  }

  private static FailedRecord failed(Work w) {
    return KafkaFailedRecords.of(w.record);
  }
}
