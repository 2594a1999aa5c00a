package dev.keel.outbox.internal;

import dev.keel.event.EventHeaders;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.InvalidRecordException;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.errors.RecordBatchTooLargeException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;

/**
 * Sends lane batches without waiting per record; the worker waits for each lane's acknowledgements
 * with a deadline, then sorts each lane's outcomes.
 */
final class BatchSender {
  private BatchSender() {}

  /** What happened to each row of a batch. */
  static final class Outcome {
    final List<Row> acked = new ArrayList<>();

    /** Rows that can never be published, with their error. */
    final List<Map.Entry<Row, String>> permanent = new ArrayList<>();

    /** Rows that failed with an error that may pass. */
    final List<Map.Entry<Row, String>> retriable = new ArrayList<>();

    /** Rows not sent because a strict lane stopped in front of them. */
    final List<Row> held = new ArrayList<>();

    Throwable firstRetriable;

    /** Topics the broker said do not exist. */
    final Set<String> missingTopics = new HashSet<>();

    /** Topics whose metadata a send waited for in vain ({@code max.block.ms}). */
    final Set<String> metadataTimeouts = new HashSet<>();

    /** The producer lost its idempotence state (sequence or epoch); it must be replaced. */
    boolean producerBroken;

    /**
     * Acknowledged rows that reached Kafka while an earlier row of their key, sent in the same
     * pass, failed with an error that may pass: their key's order on the topic is broken.
     */
    final List<Row> overtaking = new ArrayList<>();

    /** Nothing went through and something failed as if the broker were away. */
    boolean outage() {
      return acked.isEmpty()
          && permanent.isEmpty()
          && firstRetriable != null
          && !topicMissing(firstRetriable);
    }
  }

  /** Records of one lane handed to the producer, not yet acknowledged. */
  static final class Pending {
    final List<Row> rows;
    final List<Future<RecordMetadata>> futures;
    final int sent;
    final boolean strict;

    Pending(List<Row> rows, List<Future<RecordMetadata>> futures, int sent, boolean strict) {
      this.rows = rows;
      this.futures = futures;
      this.sent = sent;
      this.strict = strict;
    }
  }

  /**
   * Hands a lane's rows to the producer without waiting. Rows to a topic in {@code missing} are not
   * sent (a send would block for {@code max.block.ms}) and fail as an unknown topic; after a send
   * timed out waiting for a topic's metadata, the pass's further rows to that topic ({@code
   * timedOut}, shared by the lanes of a pass) are not sent either.
   *
   * <p>A send can fail before it reaches the producer's buffer: Kafka's producer returns an already
   * failed future when the topic's metadata did not come within {@code max.block.ms} (a new
   * producer while the broker is away), when its buffer stays full, or when the record is too
   * large. A later row of the same key must then not go out in this pass, or it would reach the
   * topic ahead of the failed one: in any lane, the rest of that key's rows wait for a later pass
   * (held), and after a metadata timeout so do the pass's further rows to that topic.
   *
   * <p>A strict lane also sends one row per key per pass: a row whose key has an earlier row in the
   * batch waits for a later pass, when that row was acknowledged, so that a row the broker refuses
   * late (too large for the topic, not authorized) has nothing of its key behind it in flight. It
   * stops at the first record that fails at once, and sends a row that failed in an earlier pass as
   * the last of its batch.
   */
  static Pending start(
      Producer<byte[], byte[]> producer,
      List<Row> rows,
      boolean strict,
      Set<String> missing,
      Set<String> timedOut) {
    List<Future<RecordMetadata>> futures = new ArrayList<>(rows.size());
    Set<String> keysInFlight = strict ? new HashSet<>() : Set.of();
    Set<String> failedKeys = null;
    int sent = 0;
    for (Row row : rows) {
      if ((strict && !keysInFlight.add(keyOf(row)))
          || (failedKeys != null && failedKeys.contains(keyOf(row)))) {
        futures.add(null); // its key's earlier row goes first; this one waits for the next pass
        sent++;
        continue;
      }
      Future<RecordMetadata> f = send(producer, row, missing, timedOut);
      futures.add(f);
      sent++;
      Throwable failed = f.isDone() ? failure(f) : null;
      if (failed != null) {
        RelayHooks.reach(RelayHooks.Point.SEND_FAILED_AT_ONCE);
        if (isMetadataTimeout(failed)) {
          timedOut.add(row.topic());
        }
        if (failedKeys == null) {
          failedKeys = new HashSet<>();
        }
        failedKeys.add(keyOf(row));
      }
      if (strict && (row.attempts() > 0 || failed != null)) {
        break;
      }
    }
    return new Pending(rows, futures, sent, strict);
  }

  /** Rows without a key are ordered among themselves, as if they shared one. */
  private static String keyOf(Row row) {
    return row.key() == null ? "\u0000keel:no-key" : "k:" + row.key();
  }

  private static Future<RecordMetadata> send(
      Producer<byte[], byte[]> producer, Row row, Set<String> missing, Set<String> timedOut) {
    try {
      if (missing.contains(row.topic())) {
        return new FailedFuture(
            new UnknownTopicOrPartitionException(
                "topic " + row.topic() + " does not exist; the row was not sent"));
      }
      if (timedOut.contains(row.topic())) {
        return new FailedFuture(
            new TimeoutException(
                "Topic " + row.topic() + " not present in metadata; not sent in this pass"));
      }
      return producer.send(record(row));
    } catch (IllegalArgumentException e) {
      return new FailedFuture(
          new SerializationException("stored headers unreadable: " + e.getMessage()));
    } catch (KafkaException e) {
      if (isMetadataTimeout(e)) {
        timedOut.add(row.topic());
      }
      return new FailedFuture(e);
    }
  }

  /**
   * Waits until every record of the lane was acknowledged or failed, or until the deadline.
   *
   * @return whether every send completed
   */
  static boolean await(Pending p, long deadlineNanos) {
    for (int i = 0; i < p.sent; i++) {
      Future<RecordMetadata> f = p.futures.get(i);
      if (f == null || f.isDone()) {
        continue;
      }
      long left = deadlineNanos - System.nanoTime();
      if (left <= 0) {
        return false;
      }
      try {
        f.get(left, java.util.concurrent.TimeUnit.NANOSECONDS);
      } catch (java.util.concurrent.TimeoutException e) {
        return false;
      } catch (ExecutionException e) {
        // completed with an error: sorted by finish
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    }
    return true;
  }

  /**
   * Sorts a lane's outcomes; call once {@link #await} returned true. In a strict lane every row
   * after the first failed one (of any kind) is held, unless Kafka acknowledged it: such a row has
   * no earlier row of its key in flight (see {@link #start}), so publishing it keeps its key's
   * order, and holding it would only publish it twice.
   */
  static Outcome finish(Pending p) {
    Outcome out = new Outcome();
    boolean stop = false;
    Set<String> failedKeys = null; // keys with a row that failed and may be sent again later
    for (int i = 0; i < p.rows.size(); i++) {
      Row row = p.rows.get(i);
      Future<RecordMetadata> f = i < p.sent ? p.futures.get(i) : null;
      Throwable error = f == null ? null : failure(f);
      if (f != null && error == null) {
        out.acked.add(row);
        if (failedKeys != null && failedKeys.contains(keyOf(row))) {
          out.overtaking.add(row);
        }
        continue;
      }
      if (error == null || !isPermanent(error)) {
        if (failedKeys == null) {
          failedKeys = new HashSet<>();
        }
        failedKeys.add(keyOf(row)); // sent again later: nothing of its key may go out before it
      }
      if (f == null) {
        out.held.add(row);
        continue;
      }
      if (stop) {
        out.held.add(row); // behind the row the strict lane stopped at: tried again after it
      } else if (isMetadataTimeout(error)) {
        // The producer has no metadata for the topic: the broker is away or the topic is gone.
        // Not the row's fault until the worker's topic check says the topic is missing.
        out.held.add(row);
        out.metadataTimeouts.add(row.topic());
        if (out.firstRetriable == null) {
          out.firstRetriable = error;
        }
        stop = p.strict;
      } else if (isProducerState(error)) {
        // Not the row's fault: send it again with a new producer, without counting an attempt.
        out.held.add(row);
        out.producerBroken = true;
        stop = p.strict;
      } else if (isPermanent(error)) {
        out.permanent.add(Map.entry(row, describe(error)));
        stop = p.strict;
      } else {
        if (topicMissing(error)) {
          out.missingTopics.add(row.topic());
        }
        out.retriable.add(Map.entry(row, describe(error)));
        if (out.firstRetriable == null) {
          out.firstRetriable = error;
        }
        stop = p.strict;
      }
    }
    return out;
  }

  /** The contract versions' header values, for the versions most rows carry. */
  private static final byte[][] VERSIONS = new byte[32][];

  static {
    for (int v = 0; v < VERSIONS.length; v++) {
      VERSIONS[v] = bytes(Integer.toString(v));
    }
  }

  private static ProducerRecord<byte[], byte[]> record(Row row) {
    // Built as a list: the record copies it once into its own headers.
    List<Header> h = new ArrayList<>(8);
    h.add(new RecordHeader(EventHeaders.EVENT_ID, bytes(row.eventId().toString())));
    h.add(new RecordHeader(EventHeaders.EVENT_TYPE, bytes(row.type())));
    int version = row.contractVersion();
    h.add(
        new RecordHeader(
            EventHeaders.CONTRACT_VERSION,
            version >= 0 && version < VERSIONS.length
                ? VERSIONS[version].clone()
                : bytes(Integer.toString(version))));
    StoredHeaders.forEach(row.headersJson(), (name, value) -> h.add(new RecordHeader(name, value)));
    byte[] key = row.key() == null ? null : bytes(row.key());
    return new ProducerRecord<>(row.topic(), null, key, row.payload(), h);
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static Throwable failure(Future<RecordMetadata> f) {
    try {
      f.get();
      return null;
    } catch (ExecutionException e) {
      return e.getCause();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return e;
    }
  }

  static boolean isPermanent(Throwable e) {
    return e instanceof RecordTooLargeException
        || e instanceof RecordBatchTooLargeException
        || e instanceof TopicAuthorizationException
        || e instanceof InvalidTopicException
        || e instanceof InvalidRecordException
        || e instanceof SerializationException;
  }

  /** Errors after which the idempotent producer's sequence state cannot be trusted. */
  static boolean isProducerState(Throwable e) {
    return e instanceof org.apache.kafka.common.errors.OutOfOrderSequenceException
        || e instanceof org.apache.kafka.common.errors.UnknownProducerIdException
        || e instanceof org.apache.kafka.common.errors.InvalidProducerEpochException
        || e instanceof org.apache.kafka.common.errors.ProducerFencedException;
  }

  static boolean isRetriable(Throwable e) {
    return e instanceof RetriableException;
  }

  /** The broker answered, but the topic does not exist: a matter of this row, not an outage. */
  static boolean topicMissing(Throwable e) {
    return e instanceof UnknownTopicOrPartitionException;
  }

  /** A send gave up waiting for the topic's metadata: a missing topic or an unreachable broker. */
  static boolean isMetadataTimeout(Throwable e) {
    return e instanceof TimeoutException
        && e.getMessage() != null
        && e.getMessage().contains("not present in metadata");
  }

  static String describe(Throwable e) {
    String message = e.getMessage() == null ? "" : ": " + e.getMessage();
    if (message.length() > 500) {
      message = message.substring(0, 500) + "...";
    }
    return e.getClass().getSimpleName() + message;
  }

  /** A send that failed before it reached the producer's buffer. */
  private static final class FailedFuture implements Future<RecordMetadata> {
    private final Throwable error;

    FailedFuture(Throwable error) {
      this.error = error;
    }

    @Override
    public boolean cancel(boolean mayInterrupt) {
      return false;
    }

    @Override
    public boolean isCancelled() {
      return false;
    }

    @Override
    public boolean isDone() {
      return true;
    }

    @Override
    public RecordMetadata get() throws ExecutionException {
      throw new ExecutionException(error);
    }

    @Override
    public RecordMetadata get(long timeout, java.util.concurrent.TimeUnit unit)
        throws ExecutionException {
      throw new ExecutionException(error);
    }
  }
}
