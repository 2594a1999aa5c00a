package dev.keel.examples.boot;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * A Spring Boot order service on Keel: {@code POST /orders} saves an order, appends {@code
 * order.placed} to the outbox and runs the fulfillment saga in one transaction; a {@code
 * KeelListener} writes the customer's notification with its dedupe row; an order that cannot be
 * notified is dead-lettered, and operators replay it through {@code DeadLetters}.
 */
@SpringBootApplication
public class OrderServiceApplication {

  /**
   * Starts the service. When {@code KEEL_KAFKA_BOOTSTRAP} / {@code KEEL_JDBC_URL} are unset it
   * first starts an embedded Kafka broker and PostgreSQL, and stops them after the application.
   *
   * @param args Spring Boot's command-line arguments ({@code --server.port=8081}...)
   */
  public static void main(String[] args) {
    Backends backends = Backends.start();
    SpringApplication app = new SpringApplication(OrderServiceApplication.class);
    app.setDefaultProperties(backends.properties());
    app.setRegisterShutdownHook(false); // ours closes the application first, then the backends
    ConfigurableApplicationContext context;
    try {
      context = app.run(args);
    } catch (RuntimeException e) {
      backends.close();
      throw e;
    }
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  context.close();
                  backends.close();
                },
                "order-service-shutdown"));
  }
}
