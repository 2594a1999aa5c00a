package dev.keel.advisor.internal.doc;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import org.junit.jupiter.api.Test;

class RenderersTest {

  private static Doc sample() {
    Doc d = new Doc("Title");
    d.h2("Section").p("Text with `code` and **bold**.");
    d.table("#", "Partition key", "Checkpoint (go on when)").row("1", "a|b", "x").end();
    d.table("Empty").end();
    d.bullets(List.of());
    return d.diagram("flowchart", "flowchart LR\n  a --> b\n");
  }

  @Test
  void markdown_escapes_pipes_and_skips_empty_blocks() {
    assertThat(MarkdownRenderer.render(sample()))
        .isEqualTo(
            String.join(
                "\n",
                "# Title",
                "",
                "## Section",
                "",
                "Text with `code` and **bold**.",
                "",
                "| # | Partition key | Checkpoint (go on when) |",
                "|---|---|---|",
                "| 1 | a\\|b | x |",
                "",
                "```mermaid",
                "flowchart LR",
                "  a --> b",
                "```",
                ""));
  }

  @Test
  void json_rows_are_keyed_by_column_and_text_is_plain() throws Exception {
    JsonNode root =
        new ObjectMapper().readTree(JsonRenderer.render("design", "s", sample(), List.of()));
    JsonNode row = root.path("blocks").get(2).path("rows").get(0);
    assertThat(row.path("number").asText()).isEqualTo("1");
    assertThat(row.path("partitionKey").asText()).isEqualTo("a|b");
    assertThat(row.path("checkpointGoOnWhen").asText()).isEqualTo("x");
    assertThat(root.path("blocks").get(1).path("text").asText())
        .isEqualTo("Text with code and bold.");
    assertThat(root.path("blocks")).hasSize(4);
  }
}
