package dev.keel.benchmarks;

import java.util.ArrayList;
import java.util.List;

/** The printed table of a harness run. */
final class Report {
  String settings = "";
  private final List<Object> rows = new ArrayList<>();

  static final class Line {
    final String name;
    final double rate;
    final double mbPerSecond;
    final double cpuPerThousand;
    final List<String> notes = new ArrayList<>();

    Line(String name, double rate, double mbPerSecond, double cpuPerThousand) {
      this.name = name;
      this.rate = rate;
      this.mbPerSecond = mbPerSecond;
      this.cpuPerThousand = cpuPerThousand;
    }

    void ratio(String against, double value) {
      notes.add(String.format("%.2fx %s", value, against));
    }

    void note(String note) {
      notes.add(note);
    }
  }

  void section(String title) {
    rows.add(title);
  }

  /** Lines printed as they are, under the last section (a section's own table). */
  void block(String text) {
    rows.add(new Block(text));
  }

  private record Block(String text) {}

  Line line(String name, double rate, double mbPerSecond, double cpuPerThousand) {
    Line l = new Line(name, rate, mbPerSecond, cpuPerThousand);
    rows.add(l);
    System.out.printf("  measured %-48s %,12.0f rec/s%n", name, rate);
    return l;
  }

  void print() {
    System.out.println();
    System.out.println("Settings: " + settings);
    for (int i = 0; i < rows.size(); i++) {
      Object row = rows.get(i);
      if (row instanceof String title) {
        System.out.println();
        System.out.println("== " + title);
        if (i + 1 < rows.size() && rows.get(i + 1) instanceof Line) {
          System.out.printf(
              "%-50s %12s %8s %10s  %s%n", "", "records/s", "MB/s", "CPU s/1k", "notes");
        }
      } else if (row instanceof Block block) {
        System.out.print(block.text());
      } else {
        Line l = (Line) row;
        System.out.printf(
            "%-50s %,12.0f %8.1f %10s  %s%n",
            l.name,
            l.rate,
            l.mbPerSecond,
            Double.isNaN(l.cpuPerThousand) ? "-" : String.format("%.4f", l.cpuPerThousand),
            String.join("; ", l.notes));
      }
    }
  }
}
