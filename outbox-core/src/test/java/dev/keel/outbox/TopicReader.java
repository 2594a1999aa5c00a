package dev.keel.outbox;

import dev.keel.event.Event;
import dev.keel.event.kafka.KafkaRecords;
import dev.keel.test.KafkaBroker;
import dev.keel.test.TopicRecorder;
import java.util.List;
import java.util.function.Predicate;

/** The events of a topic, duplicates included, read by keel-test's {@link TopicRecorder}. */
final class TopicReader implements AutoCloseable {
  private final TopicRecorder<Event> recorder;

  TopicReader(KafkaBroker broker, String topic) {
    this.recorder = new TopicRecorder<>(broker, topic, KafkaRecords::toEvent);
  }

  /** Every event read so far, in log order per partition. */
  List<Event> events() {
    return recorder.values();
  }

  long distinct() {
    return recorder.values().stream().map(Event::id).distinct().count();
  }

  List<Event> matching(Predicate<Event> p) {
    return recorder.values().stream().filter(p).toList();
  }

  @Override
  public void close() {
    recorder.close();
  }
}
