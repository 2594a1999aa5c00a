package dev.keel.reliability;

import java.util.ArrayList;
import java.util.List;

/** One scenario's figures, printed to stdout as one block. */
final class Figures {
  private final String scenario;
  private final List<String> lines = new ArrayList<>();

  Figures(String scenario) {
    this.scenario = scenario;
  }

  Figures add(String name, Object value) {
    lines.add(String.format("  %s: %s", name, value instanceof Number n ? fmt(n) : value));
    return this;
  }

  private static String fmt(Number n) {
    return n instanceof Double || n instanceof Float
        ? String.format("%,.1f", n.doubleValue())
        : String.format("%,d", n.longValue());
  }

  /** Prints the block, with the checker's figures when given. */
  void print(DeliveryReport report) {
    StringBuilder b = new StringBuilder();
    b.append("=== reliability: ").append(scenario).append(Scale.full() ? " (full)" : " (small)");
    b.append(System.lineSeparator());
    for (String l : lines) {
      b.append(l).append(System.lineSeparator());
    }
    if (report != null) {
      b.append(report).append(System.lineSeparator());
    }
    b.append("===");
    System.out.println(b);
  }
}
