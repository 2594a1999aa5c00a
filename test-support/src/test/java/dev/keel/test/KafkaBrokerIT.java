package dev.keel.test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

@KeelTest
class KafkaBrokerIT {

  @Test
  void acceptsIdempotentProducer(Topics topics, KafkaBroker broker) throws Exception {
    String topic = topics.create("idem", 3);
    Map<String, Object> props = producerProps(broker);
    props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    try (KafkaProducer<String, String> producer = new KafkaProducer<>(props)) {
      for (int i = 0; i < 10; i++) {
        producer.send(new ProducerRecord<>(topic, "k" + i, "v" + i)).get(30, TimeUnit.SECONDS);
      }
    }
    assertThat(readAll(broker, topic, "read_committed", 10)).hasSize(10);
  }

  /**
   * Compressed batches pass both class loaders: the broker decompresses them to validate them with
   * its own codecs (zstd-jni, lz4-java and snappy-java load their native code in the broker's class
   * loader), the test's consumer with the test's.
   */
  @Test
  void acceptsEveryCompressionType(Topics topics, KafkaBroker broker) throws Exception {
    String topic = topics.create("compressed", 1);
    List<String> sent = new ArrayList<>();
    for (String codec : List.of("zstd", "lz4", "snappy", "gzip")) {
      Map<String, Object> props = producerProps(broker);
      props.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, codec);
      props.put(ProducerConfig.LINGER_MS_CONFIG, 5);
      try (KafkaProducer<String, String> producer = new KafkaProducer<>(props)) {
        List<Future<RecordMetadata>> acks = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
          String value = codec + "-" + i + "-" + "x".repeat(200);
          sent.add(value);
          acks.add(producer.send(new ProducerRecord<>(topic, "k", value)));
        }
        for (Future<RecordMetadata> ack : acks) {
          ack.get(30, TimeUnit.SECONDS);
        }
      }
    }
    assertThat(readAll(broker, topic, "read_uncommitted", sent.size()))
        .extracting(ConsumerRecord::value)
        .containsExactlyElementsOf(sent);
  }

  @Test
  void acceptsTransactionalProducerAndHidesAbortedRecords(Topics topics, KafkaBroker broker) {
    String topic = topics.create("tx", 2);
    Map<String, Object> props = producerProps(broker);
    props.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "keel-test-" + topic);
    try (KafkaProducer<String, String> producer = new KafkaProducer<>(props)) {
      producer.initTransactions();
      producer.beginTransaction();
      producer.send(new ProducerRecord<>(topic, "k", "aborted"));
      producer.abortTransaction();
      producer.beginTransaction();
      producer.send(new ProducerRecord<>(topic, "k", "committed"));
      producer.commitTransaction();
    }
    List<ConsumerRecord<String, String>> records = readAll(broker, topic, "read_committed", 1);
    assertThat(records).extracting(ConsumerRecord::value).containsExactly("committed");
  }

  @Test
  void embeddedBrokerSurvivesRestartWithItsData(Topics topics) throws Exception {
    try (KafkaBroker own = KafkaBroker.startEmbedded(Map.of())) {
      own.createTopic("restart", 1);
      Map<String, Object> props = producerProps(own);
      try (KafkaProducer<String, String> producer = new KafkaProducer<>(props)) {
        producer.send(new ProducerRecord<>("restart", "k", "before")).get(30, TimeUnit.SECONDS);
      }
      own.stop();
      own.restart();
      try (KafkaProducer<String, String> producer = new KafkaProducer<>(props)) {
        producer.send(new ProducerRecord<>("restart", "k", "after")).get(30, TimeUnit.SECONDS);
      }
      assertThat(readAll(own, "restart", "read_committed", 2))
          .extracting(ConsumerRecord::value)
          .containsExactly("before", "after");
    }
  }

  @Test
  void pausedBrokerKeepsClientsWaitingAndAnswersAfterResume() throws Exception {
    try (KafkaBroker own = KafkaBroker.startEmbeddedPausable(Map.of())) {
      assertThat(own.supportsPause()).isTrue();
      own.createTopic("paused", 2);
      Map<String, Object> props = producerProps(own);
      props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
      props.put(ProducerConfig.ACKS_CONFIG, "all");
      try (KafkaProducer<String, String> producer = new KafkaProducer<>(props)) {
        producer.send(new ProducerRecord<>("paused", "k", "before")).get(30, TimeUnit.SECONDS);
        own.pause();
        own.createTopic("created-while-paused", 1); // the broker itself goes on
        Future<RecordMetadata> during =
            producer.send(new ProducerRecord<>("paused", "k", "during"));
        await()
            .during(Duration.ofSeconds(3))
            .atMost(Duration.ofSeconds(5))
            .until(() -> !during.isDone());
        own.resume();
        assertThat(during.get(30, TimeUnit.SECONDS).hasOffset()).isTrue();
      }
      assertThat(readAll(own, "paused", "read_committed", 2))
          .extracting(ConsumerRecord::value)
          .containsExactly("before", "during");
    }
  }

  @Test
  void sharedBrokerIsNotPausable(KafkaBroker broker) {
    assertThat(broker.supportsPause()).isFalse();
    assertThatThrownBy(broker::pause).isInstanceOf(UnsupportedOperationException.class);
  }

  private static Map<String, Object> producerProps(KafkaBroker broker) {
    Map<String, Object> props = new HashMap<>(broker.clientProperties());
    props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
    props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class);
    return props;
  }

  static List<ConsumerRecord<String, String>> readAll(
      KafkaBroker broker, String topic, String isolation, int expected) {
    Map<String, Object> props = new HashMap<>(broker.clientProperties());
    props.put(ConsumerConfig.GROUP_ID_CONFIG, "reader-" + topic);
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolation);
    props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
    props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class);
    List<ConsumerRecord<String, String>> out = new ArrayList<>();
    try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(props)) {
      consumer.subscribe(List.of(topic));
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (out.size() < expected && System.nanoTime() < deadline) {
        consumer.poll(Duration.ofMillis(200)).forEach(out::add);
      }
      // One more poll shows that nothing beyond the expected records arrives.
      consumer.poll(Duration.ofMillis(500)).forEach(out::add);
    }
    return out;
  }
}
