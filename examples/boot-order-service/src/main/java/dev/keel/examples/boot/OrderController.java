package dev.keel.examples.boot;

import java.net.URI;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/** {@code POST /orders} and {@code GET /orders/{id}}. */
@RestController
class OrderController {
  private final OrderService orders;

  OrderController(OrderService orders) {
    this.orders = orders;
  }

  @PostMapping("/orders")
  ResponseEntity<OrderService.OrderView> place(@RequestBody OrderService.NewOrder order) {
    String id = orders.place(order); // committed: the order, its fact and its saga
    return ResponseEntity.created(URI.create("/orders/" + id)).body(orders.find(id).orElseThrow());
  }

  @GetMapping("/orders/{id}")
  ResponseEntity<OrderService.OrderView> get(@PathVariable("id") String id) {
    return ResponseEntity.of(orders.find(id));
  }
}
