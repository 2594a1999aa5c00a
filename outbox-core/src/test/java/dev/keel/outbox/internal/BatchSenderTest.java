package dev.keel.outbox.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.errors.NotEnoughReplicasException;
import org.apache.kafka.common.errors.OutOfOrderSequenceException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.junit.jupiter.api.Test;

/**
 * How a lane's outcomes are sorted once every send completed: a row acknowledged after an earlier
 * row of its key failed with an error that may pass (that row goes out again later, behind it) is
 * reported as overtaking; after a row that can never be published it is not, since that row is set
 * aside rather than sent again.
 */
class BatchSenderTest {

  @Test
  void anAcknowledgedRowBehindARetriableFailureOfItsKeyIsOvertaking() {
    List<Row> rows = rows("k", "l", "k", "k");
    BatchSender.Outcome out =
        BatchSender.finish(
            pending(rows, failed(new NotEnoughReplicasException("later")), ok(), ok(), ok()));
    assertThat(out.overtaking).extracting(Row::id).containsExactly(3L, 4L);
    assertThat(out.retriable).hasSize(1);
  }

  @Test
  void aLostProducerSequenceHoldsTheRowAndReportsWhatOvertookIt() {
    List<Row> rows = rows("k", "k");
    BatchSender.Outcome out =
        BatchSender.finish(pending(rows, failed(new OutOfOrderSequenceException("gap")), ok()));
    assertThat(out.held).extracting(Row::id).containsExactly(1L);
    assertThat(out.producerBroken).isTrue();
    assertThat(out.overtaking).extracting(Row::id).containsExactly(2L);
  }

  @Test
  void nothingOvertakesAPermanentRefusalOrAnotherKeysFailure() {
    List<Row> rows = rows("k", "k", "l", "m");
    BatchSender.Outcome out =
        BatchSender.finish(
            pending(
                rows,
                failed(new RecordTooLargeException("too large")),
                ok(),
                failed(new NotEnoughReplicasException("later")),
                ok()));
    assertThat(out.overtaking).isEmpty();
    assertThat(out.permanent).hasSize(1);
    assertThat(out.acked).extracting(Row::id).containsExactly(2L, 4L);
  }

  @Test
  void rowsNotSentInThePassAreHeldAndNothingOfTheirKeyOvertakesThem() {
    List<Row> rows = rows("k", "k", "l");
    BatchSender.Outcome out = BatchSender.finish(pending(rows, ok(), null, ok()));
    assertThat(out.held).extracting(Row::id).containsExactly(2L);
    assertThat(out.overtaking).isEmpty();
  }

  private static List<Row> rows(String... keys) {
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < keys.length; i++) {
      rows.add(
          new Row(
              i + 1,
              UUID.randomUUID(),
              "orders",
              keys[i],
              "order.placed",
              1,
              null,
              new byte[1],
              0,
              0));
    }
    return rows;
  }

  @SafeVarargs
  private static BatchSender.Pending pending(List<Row> rows, Future<RecordMetadata>... futures) {
    return new BatchSender.Pending(rows, Arrays.asList(futures), futures.length, false);
  }

  private static Future<RecordMetadata> ok() {
    return CompletableFuture.completedFuture(null);
  }

  private static Future<RecordMetadata> failed(RuntimeException e) {
    return CompletableFuture.failedFuture(e);
  }
}
