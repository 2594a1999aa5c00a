package dev.keel.event.support;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ValuesTest {

  @Test
  void terminalControlSequencesAreEscaped() {
    String hostile = "a\u001b[31mred\u009b2J\u0007\r\n\u2028\u202egnp.exe\u2066x\u0000";
    String escaped = Values.escape(hostile);
    assertThat(escaped)
        .isEqualTo(
            "a\\u001b[31mred\\u009b2J\\u0007\\u000d\\u000a\\u2028\\u202egnp.exe\\u2066x\\u0000");
    assertThat(escaped.chars()).allMatch(c -> c >= 0x20 && c < 0x7f);
  }

  @Test
  void surrogatePairsStayAndLoneSurrogatesAreEscaped() {
    assertThat(Values.escape("ok \uD83D\uDE00")).isEqualTo("ok \uD83D\uDE00");
    assertThat(Values.escape("x\uD83Dy")).isEqualTo("x\\ud83dy");
    assertThat(Values.escape("x\uDE00")).isEqualTo("x\\ude00");
  }

  @Test
  void quoteEscapesQuotesAndCutsLongValues() {
    assertThat(Values.quote("say \"hi\"\\")).isEqualTo("\"say \\\"hi\\\"\\\\\"");
    assertThat(Values.quote("\u0085")).isEqualTo("\"\\u0085\"");
    assertThat(Values.quote("x".repeat(100))).endsWith("...(100 chars)\"");
    assertThat(Values.quote(null)).isEqualTo("null");
  }

  @Test
  void blocksKeepLinesAndTabsButIndentEveryLine() {
    String block = Values.escapeBlock("{\n\t\"a\": 1\u001b[2J\n}\nstatus: DISCARDED", "  ");
    assertThat(block).isEqualTo("  {\n  \t\"a\": 1\\u001b[2J\n  }\n  status: DISCARDED");
    assertThat(block.lines()).allMatch(l -> l.startsWith("  "));
    assertThat(Values.escapeBlock("a\r\nb", "| ")).isEqualTo("| a\\u000d\n| b");
  }
}
