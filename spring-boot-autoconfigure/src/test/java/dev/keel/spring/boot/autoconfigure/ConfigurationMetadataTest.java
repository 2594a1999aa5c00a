package dev.keel.spring.boot.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.keel.event.config.ConfigKey;
import java.io.InputStream;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The configuration metadata IDEs complete {@code keel.*} from
 * (META-INF/spring-configuration-metadata.json, written by Boot's configuration processor from
 * {@link KeelProperties}) holds every {@link ConfigKey} with a description, and the starter's
 * switches.
 */
class ConfigurationMetadataTest {

  private static Map<String, JsonNode> properties() throws Exception {
    try (InputStream in =
        KeelProperties.class
            .getClassLoader()
            .getResourceAsStream("META-INF/spring-configuration-metadata.json")) {
      assertThat(in).as("spring-configuration-metadata.json on the class path").isNotNull();
      Map<String, JsonNode> byName = new HashMap<>();
      for (JsonNode p : new ObjectMapper().readTree(in).get("properties")) {
        byName.put(p.get("name").asText(), p);
      }
      return byName;
    }
  }

  @Test
  void everyConfigKeyHasAMetadataEntryWithADescription() throws Exception {
    Map<String, JsonNode> properties = properties();
    for (ConfigKey key : ConfigKey.values()) {
      String name =
          key.type() == ConfigKey.Type.MAP
              ? key.key("keel").substring(0, key.key("keel").length() - 2) // keel.kafka.properties
              : key.key("keel");
      assertThat(properties).as("metadata of %s", name).containsKey(name);
      assertThat(properties.get(name).path("description").asText())
          .as("description of %s", name)
          .isNotBlank();
    }
  }

  @Test
  void theSwitchesOfEachPartAreDescribedWithTheirDefault() throws Exception {
    Map<String, JsonNode> properties = properties();
    for (String name :
        new String[] {
          "keel.outbox.enabled",
          "keel.relay.enabled",
          "keel.listeners.enabled",
          "keel.flyway.enabled",
          "keel.liquibase.enabled",
          "keel.dlq.enabled",
          "keel.saga.enabled",
          "keel.saga.orchestrator.enabled",
          "keel.saga.participants.enabled"
        }) {
      assertThat(properties).containsKey(name);
      assertThat(properties.get(name).path("type").asText()).isEqualTo("java.lang.Boolean");
      assertThat(properties.get(name).path("defaultValue").asBoolean()).as(name).isTrue();
      assertThat(properties.get(name).path("description").asText()).as(name).isNotBlank();
    }
  }
}
