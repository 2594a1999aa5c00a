package dev.keel.advisor.internal.doc;

import dev.keel.advisor.internal.doc.Doc.Block;
import dev.keel.advisor.internal.doc.Doc.Bullets;
import dev.keel.advisor.internal.doc.Doc.Diagram;
import dev.keel.advisor.internal.doc.Doc.Heading;
import dev.keel.advisor.internal.doc.Doc.Paragraph;
import dev.keel.advisor.internal.doc.Doc.Table;
import java.util.List;

/** Renders a {@link Doc} as GitHub-flavoured Markdown with Mermaid code blocks. */
public final class MarkdownRenderer {
  private MarkdownRenderer() {}

  /** The Markdown text, ending with one newline. */
  public static String render(Doc doc) {
    StringBuilder out = new StringBuilder("# ").append(doc.title()).append("\n");
    for (Block b : doc.blocks()) {
      out.append('\n');
      if (b instanceof Heading h) {
        out.append("#".repeat(h.level())).append(' ').append(h.text()).append('\n');
      } else if (b instanceof Paragraph p) {
        out.append(p.text()).append('\n');
      } else if (b instanceof Bullets l) {
        l.items().forEach(i -> out.append("- ").append(i).append('\n'));
      } else if (b instanceof Table t) {
        table(out, t);
      } else if (b instanceof Diagram d) {
        out.append("```mermaid\n").append(d.source()).append("```\n");
      }
    }
    return out.toString();
  }

  private static void table(StringBuilder out, Table t) {
    row(out, t.columns());
    out.append('|');
    t.columns().forEach(c -> out.append("---|"));
    out.append('\n');
    t.rows().forEach(r -> row(out, r));
  }

  private static void row(StringBuilder out, List<String> cells) {
    out.append('|');
    for (String c : cells) {
      out.append(' ').append(c.replace("|", "\\|").replace("\n", "<br>")).append(" |");
    }
    out.append('\n');
  }
}
