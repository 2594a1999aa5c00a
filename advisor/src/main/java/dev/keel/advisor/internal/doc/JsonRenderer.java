package dev.keel.advisor.internal.doc;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.keel.advisor.Finding;
import dev.keel.advisor.internal.doc.Doc.Block;
import dev.keel.advisor.internal.doc.Doc.Bullets;
import dev.keel.advisor.internal.doc.Doc.Diagram;
import dev.keel.advisor.internal.doc.Doc.Heading;
import dev.keel.advisor.internal.doc.Doc.Paragraph;
import dev.keel.advisor.internal.doc.Doc.Table;
import java.util.List;
import java.util.Locale;

/**
 * Renders a report as JSON: {@code mode}, {@code system}, {@code title}, {@code findings} (rule id,
 * severity, element, why, fix) and {@code blocks}; a table's rows are objects keyed by column.
 */
public final class JsonRenderer {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private JsonRenderer() {}

  /** The JSON text, pretty-printed with {@code \n} line ends, ending with one newline. */
  public static String render(String mode, String system, Doc doc, List<Finding> findings) {
    ObjectNode root = MAPPER.createObjectNode();
    root.put("mode", mode);
    root.put("system", system);
    root.put("title", doc.title());
    ArrayNode fs = root.putArray("findings");
    for (Finding f : findings) {
      ObjectNode n = fs.addObject();
      n.put("rule", f.rule().id());
      n.put("severity", f.severity().name());
      n.put("title", f.rule().title());
      n.put("element", f.element());
      n.put("why", plain(f.why()));
      n.put("fix", plain(f.fix()));
    }
    ArrayNode blocks = root.putArray("blocks");
    for (Block b : doc.blocks()) {
      block(blocks.addObject(), b);
    }
    DefaultIndenter indent = new DefaultIndenter("  ", "\n");
    DefaultPrettyPrinter pp =
        new DefaultPrettyPrinter(
                Separators.createDefaultInstance()
                    .withObjectFieldValueSpacing(Separators.Spacing.AFTER))
            .withObjectIndenter(indent)
            .withArrayIndenter(indent);
    try {
      return MAPPER.writer(pp).writeValueAsString(root) + "\n";
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot render report as JSON", e);
    }
  }

  private static void block(ObjectNode n, Block b) {
    if (b instanceof Heading h) {
      n.put("type", "heading").put("level", h.level()).put("text", plain(h.text()));
    } else if (b instanceof Paragraph p) {
      n.put("type", "paragraph").put("text", plain(p.text()));
    } else if (b instanceof Bullets l) {
      n.put("type", "bullets");
      ArrayNode items = n.putArray("items");
      l.items().forEach(i -> items.add(plain(i)));
    } else if (b instanceof Table t) {
      n.put("type", "table");
      ArrayNode rows = n.putArray("rows");
      for (List<String> r : t.rows()) {
        ObjectNode row = rows.addObject();
        for (int i = 0; i < r.size(); i++) {
          row.put(key(t.columns().get(i)), plain(r.get(i)));
        }
      }
    } else if (b instanceof Diagram d) {
      n.put("type", "mermaid").put("kind", d.kind()).put("source", d.source());
    }
  }

  /** Text without Markdown emphasis and code marks, for JSON consumers. */
  static String plain(String text) {
    return text.replace("`", "").replace("**", "");
  }

  /** A column header as a JSON key: {@code Partition key} gives {@code partitionKey}. */
  static String key(String column) {
    String cleaned = column.replaceAll("[^A-Za-z0-9 ]", " ").trim();
    String[] words = (cleaned.isEmpty() ? "number" : cleaned).split("\\s+");
    StringBuilder k = new StringBuilder(words[0].toLowerCase(Locale.ROOT));
    for (int i = 1; i < words.length; i++) {
      String w = words[i].toLowerCase(Locale.ROOT);
      k.append(Character.toUpperCase(w.charAt(0))).append(w.substring(1));
    }
    return k.toString();
  }
}
