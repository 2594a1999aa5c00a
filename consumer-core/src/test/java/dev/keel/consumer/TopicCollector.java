package dev.keel.consumer;

import dev.keel.event.Event;
import dev.keel.event.kafka.KafkaRecords;
import dev.keel.test.KafkaBroker;
import dev.keel.test.TopicRecorder;
import java.util.List;

/** The events of a topic, duplicates included, read by keel-test's {@link TopicRecorder}. */
final class TopicCollector implements AutoCloseable {
  private final TopicRecorder<Event> recorder;

  TopicCollector(KafkaBroker broker, String topic) {
    this.recorder = new TopicRecorder<>(broker, topic, KafkaRecords::toEvent);
  }

  List<Event> events() {
    return recorder.values();
  }

  int size() {
    return recorder.size();
  }

  @Override
  public void close() {
    recorder.close();
  }
}
