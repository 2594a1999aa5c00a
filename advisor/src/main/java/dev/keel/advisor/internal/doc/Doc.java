package dev.keel.advisor.internal.doc;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A report as a flat list of blocks, rendered to Markdown or JSON. Builders of reports append
 * blocks in reading order; nothing here depends on time or hashing, so output is deterministic.
 */
public final class Doc {
  /** One block of a report. */
  public sealed interface Block permits Heading, Paragraph, Bullets, Table, Diagram {}

  /** A heading; level 2 starts a section, level 3 a subsection. */
  public record Heading(int level, String text) implements Block {}

  /** A paragraph of text (Markdown inline syntax allowed: backticks, bold). */
  public record Paragraph(String text) implements Block {}

  /** A bullet list. */
  public record Bullets(List<String> items) implements Block {}

  /** A table; each row has one cell per column. */
  public record Table(List<String> columns, List<List<String>> rows) implements Block {}

  /** A Mermaid diagram. */
  public record Diagram(String kind, String source) implements Block {}

  private final String title;
  private final List<Block> blocks = new ArrayList<>();

  /** Starts a document with its title. */
  public Doc(String title) {
    this.title = title;
  }

  public String title() {
    return title;
  }

  public List<Block> blocks() {
    return List.copyOf(blocks);
  }

  public Doc h2(String text) {
    blocks.add(new Heading(2, text));
    return this;
  }

  public Doc h3(String text) {
    blocks.add(new Heading(3, text));
    return this;
  }

  public Doc p(String text) {
    blocks.add(new Paragraph(text));
    return this;
  }

  public Doc bullets(List<String> items) {
    if (!items.isEmpty()) {
      blocks.add(new Bullets(List.copyOf(items)));
    }
    return this;
  }

  /**
   * Starts a table; add rows with {@link TableBuilder#row} and finish with {@link
   * TableBuilder#end}.
   */
  public TableBuilder table(String... columns) {
    return new TableBuilder(Arrays.asList(columns));
  }

  public Doc diagram(String kind, String source) {
    blocks.add(new Diagram(kind, source));
    return this;
  }

  /** Collects rows of one table. */
  public final class TableBuilder {
    private final List<String> columns;
    private final List<List<String>> rows = new ArrayList<>();

    private TableBuilder(List<String> columns) {
      this.columns = List.copyOf(columns);
    }

    public TableBuilder row(String... cells) {
      if (cells.length != columns.size()) {
        throw new IllegalArgumentException("row has " + cells.length + " cells for " + columns);
      }
      rows.add(List.of(cells));
      return this;
    }

    /** Adds the table to the document (nothing when it has no rows). */
    public Doc end() {
      if (!rows.isEmpty()) {
        blocks.add(new Table(columns, List.copyOf(rows)));
      }
      return Doc.this;
    }
  }
}
