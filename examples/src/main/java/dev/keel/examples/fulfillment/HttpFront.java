package dev.keel.examples.fulfillment;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The {@code --serve} endpoint, on the JDK's HTTP server: place and list orders, scrape metrics.
 * Binds to the loopback interface only.
 */
final class HttpFront implements AutoCloseable {
  private final HttpServer server;
  private final ExecutorService executor = Executors.newFixedThreadPool(2);
  private final FulfillmentSystem system;
  private final PrometheusMeterRegistry meters;
  private final AtomicInteger next = new AtomicInteger(2000);

  private HttpFront(HttpServer server, FulfillmentSystem system, PrometheusMeterRegistry meters) {
    this.server = server;
    this.system = system;
    this.meters = meters;
  }

  static HttpFront start(int port, FulfillmentSystem system, PrometheusMeterRegistry meters)
      throws IOException {
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 0);
    HttpFront front = new HttpFront(server, system, meters);
    server.createContext("/orders", front::orders);
    server.createContext("/metrics", front::metrics);
    server.setExecutor(front.executor);
    server.start();
    return front;
  }

  int port() {
    return server.getAddress().getPort();
  }

  private void metrics(HttpExchange x) throws IOException {
    respond(x, 200, "text/plain; version=0.0.4; charset=utf-8", meters.scrape());
  }

  private void orders(HttpExchange x) throws IOException {
    try {
      if ("POST".equals(x.getRequestMethod())) {
        Map<String, String> q = query(x.getRequestURI().getRawQuery());
        String id = "o-" + next.incrementAndGet();
        system
            .orders()
            .place(
                id,
                required(q, "customer"),
                required(q, "sku"),
                Integer.parseInt(q.getOrDefault("quantity", "1")),
                new BigDecimal(required(q, "amount")),
                required(q, "card"),
                q.getOrDefault("locale", "en"));
        respond(x, 201, "text/plain; charset=utf-8", "placed " + id + "\n");
      } else if ("GET".equals(x.getRequestMethod())) {
        List<OrderRow> rows = new ArrayList<>();
        for (String id :
            Sql.column(system.dataSource(), "SELECT id FROM orders_order ORDER BY id")) {
          rows.add(OrderReport.row(system, id, "", ""));
        }
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        try (PrintStream p = new PrintStream(b, true, StandardCharsets.UTF_8)) {
          OrderReport.print(p, rows, Map.of());
        }
        respond(x, 200, "text/plain; charset=utf-8", b.toString(StandardCharsets.UTF_8));
      } else {
        respond(x, 405, "text/plain; charset=utf-8", "GET or POST\n");
      }
    } catch (IllegalArgumentException e) {
      respond(x, 400, "text/plain; charset=utf-8", e.getMessage() + "\n");
    } catch (Exception e) {
      respond(
          x, 500, "text/plain; charset=utf-8", "failed: " + e.getClass().getSimpleName() + "\n");
    }
  }

  private static String required(Map<String, String> q, String name) {
    String v = q.get(name);
    if (v == null || v.isBlank()) {
      throw new IllegalArgumentException("missing query parameter " + name);
    }
    return v;
  }

  private static Map<String, String> query(String raw) {
    Map<String, String> out = new HashMap<>();
    if (raw == null) {
      return out;
    }
    for (String pair : raw.split("&")) {
      int eq = pair.indexOf('=');
      if (eq > 0) {
        out.put(
            URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
            URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
      }
    }
    return out;
  }

  private static void respond(HttpExchange x, int status, String type, String body)
      throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    x.getResponseHeaders().set("Content-Type", type);
    x.sendResponseHeaders(status, bytes.length);
    try (OutputStream os = x.getResponseBody()) {
      os.write(bytes);
    }
  }

  @Override
  public void close() {
    server.stop(1);
    executor.shutdownNow();
  }
}
