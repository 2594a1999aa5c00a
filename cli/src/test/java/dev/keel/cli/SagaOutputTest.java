package dev.keel.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.saga.SagaPhase;
import dev.keel.saga.SagaState;
import dev.keel.saga.SagaView;
import dev.keel.saga.StepLogEntry;
import dev.keel.saga.StepLogKind;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * {@code keel saga list|show} print stored text (failure reasons, step details, operator names,
 * data) that a participant's reply or an operator's input put there: none of it may reach the
 * terminal as a control sequence or pass for one of the tool's own lines.
 */
class SagaOutputTest {

  @Test
  void storedTextIsEscapedInListAndShow() {
    Instant t = Instant.EPOCH;
    SagaView v =
        new SagaView(
            UUID.randomUUID(),
            "order\u001b[2J",
            1,
            SagaState.COMPENSATION_FAILED,
            "pay\u009b31m",
            SagaPhase.DONE,
            2,
            "{\"a\":\n\"\u001b]0;x\u0007\"}",
            1,
            null,
            t,
            t,
            t,
            "declined\u202e" + "x".repeat(200) + "\nFORGED 00000000 COMPLETED",
            "bob\u0085",
            List.of(new StepLogEntry(1, "pay", StepLogKind.FAILED, 1, t, "refused\r\u001b[1A")));
    StringWriter out = new StringWriter();
    PrintWriter w = new PrintWriter(out);
    SagaSubcommand.Base.row(w, v);
    SagaSubcommand.Base.show(w, v, true);
    w.flush();
    String printed = out.toString();
    for (char c : printed.toCharArray()) {
      assertThat(c == '\n' || (c >= 0x20 && c < 0x7f)).as("U+%04X", (int) c).isTrue();
    }
    assertThat(printed)
        .contains("order\\u001b[2J", "pay\\u009b31m", "declined\\u202e", "bob\\u0085")
        .contains("refused\\u000d\\u001b[1A", "\\u000aFORGED 00000000 COMPLETED")
        .contains("x".repeat(200)) // a reason is escaped, never cut
        .doesNotContain("\nFORGED");
    assertThat(printed.lines().filter(l -> l.startsWith("  \"")))
        .singleElement()
        .isEqualTo("  \"\\u001b]0;x\\u0007\"}");
  }
}
