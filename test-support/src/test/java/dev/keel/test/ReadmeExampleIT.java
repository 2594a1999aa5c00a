package dev.keel.test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

/** The module README's example, compiled and run (the README copies this code). */
@KeelTest // one broker and one PostgreSQL for the whole run, started on first use
class ReadmeExampleIT {

  @Test
  void aBrokerATopicAndASchemaOfItsOwn(KafkaBroker broker, Topics topics, IsolatedDatabase db)
      throws Exception {
    String topic = topics.create("orders", 3); // a name no other test uses
    try (Connection c = db.dataSource().getConnection(); // lands in this test's schema
        Statement s = c.createStatement()) {
      s.execute("CREATE TABLE orders (id varchar(64) PRIMARY KEY)");
      s.execute("INSERT INTO orders VALUES ('o-1')");
      try (ResultSet rs = s.executeQuery("SELECT count(*) FROM orders")) {
        rs.next();
        assertThat(rs.getInt(1)).isEqualTo(1);
      }
    }
    Map<String, Object> props = new HashMap<>(broker.clientProperties()); // bootstrap.servers
    props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
    props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
    try (TopicRecorder<String> out =
            new TopicRecorder<>(broker, topic, r -> new String(r.value(), StandardCharsets.UTF_8));
        KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(props)) {
      producer.send(
          new ProducerRecord<>(topic, "{\"id\":\"o-1\"}".getBytes(StandardCharsets.UTF_8)));
      producer.flush();
      await().atMost(Duration.ofSeconds(30)).until(() -> out.size() == 1);
      assertThat(out.values()).containsExactly("{\"id\":\"o-1\"}");
    }
  }
}
