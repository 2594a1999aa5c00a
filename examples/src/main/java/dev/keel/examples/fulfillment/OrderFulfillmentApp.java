package dev.keel.examples.fulfillment;

import dev.keel.test.Database;
import dev.keel.test.IsolatedDatabase;
import dev.keel.test.KafkaBroker;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;

/**
 * Runs the order-fulfillment system on the embedded default (an in-JVM Kafka broker and an embedded
 * PostgreSQL, or {@code KEEL_KAFKA_BOOTSTRAP} / {@code KEEL_JDBC_URL}), plays the scripted
 * scenario, prints what happened to each order as read from the database, then a metrics summary,
 * and exits 0 when every order ended as planned.
 *
 * <p>With {@code --serve [port]} it keeps running after the scenario with a small HTTP endpoint:
 * {@code POST /orders?customer=..&sku=kayak&quantity=1&amount=499.00&card=visa-1&locale=en} places
 * an order, {@code GET /orders} lists them, {@code GET /metrics} is a Prometheus scrape endpoint.
 */
public final class OrderFulfillmentApp {
  private OrderFulfillmentApp() {}

  /**
   * Runs the scenario (and serves, with {@code --serve}).
   *
   * @param args {@code [--serve [port]]}
   */
  public static void main(String[] args) throws Exception {
    boolean serve = Arrays.asList(args).contains("--serve");
    int port = 8080;
    int at = Arrays.asList(args).indexOf("--serve");
    if (serve && args.length > at + 1) {
      port = Integer.parseInt(args[at + 1]);
    }
    System.out.println("Keel order fulfillment: starting Kafka and PostgreSQL...");
    int code;
    try (KafkaBroker kafka = KafkaBroker.start();
        Database postgres = Database.postgres();
        IsolatedDatabase db = postgres.createIsolated("fulfillment")) {
      System.out.println("  Kafka:      " + kafka.describe());
      System.out.println("  PostgreSQL: " + postgres.describe());
      PrometheusMeterRegistry meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
      try (FulfillmentSystem system =
          FulfillmentSystem.start(kafka.clientProperties(), db.dataSource(), meters)) {
        System.out.println("Scenario:");
        Scenario.Result result = new Scenario(system, kafka.clientProperties(), System.out).run();
        System.out.println();
        OrderReport.print(System.out, result.orders(), result.metrics());
        System.out.println();
        if (result.ok()) {
          System.out.println("OK: every order ended as planned; effects match the saga outcomes.");
          code = 0;
        } else {
          System.out.println("FAILED:");
          result.problems().forEach(p -> System.out.println("  " + p));
          code = 1;
        }
        if (serve) {
          try (HttpFront http = HttpFront.start(port, system, meters)) {
            System.out.println("Serving on http://localhost:" + http.port() + " (Ctrl-C stops)");
            CountDownLatch forever = new CountDownLatch(1);
            Runtime.getRuntime().addShutdownHook(new Thread(forever::countDown));
            forever.await();
          }
        }
      }
    }
    System.exit(code);
  }
}
