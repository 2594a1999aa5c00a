package dev.keel.spring.boot.autoconfigure.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.keel.dlq.DeadLetterPublisher;
import dev.keel.dlq.DeadLetterQuery;
import dev.keel.dlq.DeadLetterStatus;
import dev.keel.dlq.DeadLetterStore;
import dev.keel.dlq.DeadLetters;
import dev.keel.event.FailureClass;
import dev.keel.retry.Failure;
import dev.keel.test.IsolatedDatabase;
import dev.keel.test.KafkaBroker;
import dev.keel.test.KeelTest;
import dev.keel.test.TopicRecorder;
import dev.keel.test.Topics;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.security.config.Customizer;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.core.userdetails.User;
import org.springframework.security.core.userdetails.UserDetailsService;
import org.springframework.security.provisioning.InMemoryUserDetailsManager;
import org.springframework.security.web.SecurityFilterChain;

/**
 * The keel endpoint over HTTP in a Boot web application behind Spring Security: a replay by an
 * authenticated user is audited under the user's name; an anonymous request is refused; without
 * {@code keel.actuator.operations.enabled} the operation does not exist.
 */
@KeelTest
class KeelEndpointHttpIT {
  private static final HttpClient CLIENT = HttpClient.newHttpClient();

  /** A web application whose only user is alice; every request may be anonymous. */
  @SpringBootConfiguration
  @EnableAutoConfiguration
  static class WebApp {
    @Bean
    SecurityFilterChain security(HttpSecurity http) throws Exception {
      return http.authorizeHttpRequests(a -> a.anyRequest().permitAll())
          .httpBasic(Customizer.withDefaults())
          .csrf(c -> c.disable())
          .build();
    }

    @Bean
    UserDetailsService users() {
      return new InMemoryUserDetailsManager(
          User.withUsername("alice").password("{noop}secret").roles("OPS").build());
    }
  }

  private static ConfigurableApplicationContext start(
      IsolatedDatabase db, KafkaBroker kafka, boolean operations) {
    return new SpringApplicationBuilder(WebApp.class)
        .properties(
            "server.port=0",
            "spring.datasource.url=" + db.jdbcUrl(),
            "spring.datasource.username=" + db.user(),
            "spring.datasource.password=" + db.password(),
            "spring.kafka.bootstrap-servers=" + kafka.bootstrapServers(),
            "spring.jpa.hibernate.ddl-auto=none",
            "spring.flyway.enabled=false",
            "spring.liquibase.enabled=false",
            "management.endpoints.web.exposure.include=health,keel",
            "management.endpoint.health.show-details=always",
            "keel.actuator.operations.enabled=" + operations)
        .run();
  }

  private static HttpResponse<String> send(
      ConfigurableApplicationContext app, String method, String path, String user)
      throws Exception {
    int port = ((WebServerApplicationContext) app).getWebServer().getPort();
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
            .timeout(Duration.ofSeconds(60))
            .header("Content-Type", "application/json")
            .method(
                method,
                method.equals("GET")
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString("{}"));
    if (user != null) {
      b.header(
          "Authorization",
          "Basic "
              + Base64.getEncoder()
                  .encodeToString((user + ":secret").getBytes(StandardCharsets.UTF_8)));
    }
    return CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void aReplayOverHttpIsAuditedUnderTheAuthenticatedUserAndRefusedWithoutOne(
      IsolatedDatabase db, KafkaBroker kafka, Topics topics) throws Exception {
    String topic = topics.create("orders", 1);
    try (Admin admin = Admin.create(kafka.clientProperties())) {
      admin
          .createTopics(List.of(new NewTopic(DeadLetterPublisher.dlqTopic(topic), 1, (short) 1)))
          .all()
          .get(30, TimeUnit.SECONDS);
    }
    try (TopicRecorder<String> replayed =
            new TopicRecorder<>(kafka, topic, r -> new String(r.key(), StandardCharsets.UTF_8));
        ConfigurableApplicationContext app = start(db, kafka, true)) {
      DeadLetterStore store = app.getBean(DeadLetterStore.class);
      try (DeadLetterPublisher publisher =
          DeadLetterPublisher.builder().kafka(kafka.clientProperties()).store(store).build()) {
        publisher.publish(
            KeelActuatorIT.record(topic, "order-7"),
            Failure.once(
                "fulfil",
                FailureClass.BUSINESS,
                new IllegalStateException("closed"),
                Instant.now()));
      }
      long id = store.find(DeadLetterQuery.all()).get(0).id();

      HttpResponse<String> state = send(app, "GET", "/actuator/keel", null);
      assertThat(state.statusCode()).isEqualTo(200);
      assertThat(state.body()).contains("\"waiting\":1").contains("\"operationsEnabled\":true");
      HttpResponse<String> health = send(app, "GET", "/actuator/health/keel", null);
      assertThat(health.statusCode()).isEqualTo(503);
      assertThat(health.body()).contains("\"deadLetters\"").contains("OUT_OF_SERVICE");

      String replay = "/actuator/keel/dead-letter/" + id + "/replay";
      HttpResponse<String> anonymous = send(app, "POST", replay, null);
      assertThat(anonymous.statusCode()).isEqualTo(400);
      assertThat(store.get(id).orElseThrow().status()).isEqualTo(DeadLetterStatus.DEAD);

      HttpResponse<String> byAlice = send(app, "POST", replay, "alice");
      assertThat(byAlice.statusCode()).as(byAlice.body()).isEqualTo(200);
      assertThat(byAlice.body()).contains("\"actor\":\"alice\"");
      await()
          .atMost(Duration.ofSeconds(30))
          .untilAsserted(() -> assertThat(replayed.values()).containsExactly("order-7"));
      assertThat(app.getBean(DeadLetters.class).audit(10))
          .singleElement()
          .satisfies(a -> assertThat(a.actor()).isEqualTo("alice"));
    }
  }

  @Test
  void withoutOperationsEnabledThereIsNoOperationOverHttp(IsolatedDatabase db, KafkaBroker kafka)
      throws Exception {
    try (ConfigurableApplicationContext app = start(db, kafka, false)) {
      assertThat(send(app, "GET", "/actuator/keel", "alice").statusCode()).isEqualTo(200);
      HttpResponse<String> post = send(app, "POST", "/actuator/keel/dead-letter/1/replay", "alice");
      assertThat(post.statusCode()).isIn(404, 405);
    }
  }
}
