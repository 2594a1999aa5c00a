package dev.keel.event;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class TraceContextTest {
  private static final String PARENT = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";

  @Test
  void scopesNestAndRestore() {
    assertThat(TraceContext.current()).isEmpty();
    String other = "00-" + "a".repeat(32) + "-" + "b".repeat(16) + "-00";
    try (TraceContext.Scope outer = TraceContext.open(PARENT)) {
      assertThat(TraceContext.current()).contains(PARENT);
      try (TraceContext.Scope inner = TraceContext.open(other)) {
        assertThat(TraceContext.current()).contains(other);
      }
      assertThat(TraceContext.current()).contains(PARENT);
      try (TraceContext.Scope none = TraceContext.open(null)) {
        assertThat(TraceContext.current()).isEmpty(); // the outer trace does not leak in
      }
      assertThat(TraceContext.current()).contains(PARENT);
    }
    assertThat(TraceContext.current()).isEmpty();
  }

  @Test
  void malformedValuesOpenAnEmptyScope() {
    for (String bad :
        new String[] {
          "",
          "garbage",
          PARENT.toUpperCase(),
          PARENT + "-x",
          "ff" + PARENT.substring(2),
          "00-" + "0".repeat(32) + "-b7ad6b7169203331-01",
          "00-0af7651916cd43dd8448eb211c80319c-" + "0".repeat(16) + "-01"
        }) {
      assertThat(TraceContext.isValid(bad)).as(bad).isFalse();
      try (TraceContext.Scope s = TraceContext.open(bad)) {
        assertThat(TraceContext.current()).as(bad).isEmpty();
      }
    }
  }

  @Test
  void childKeepsTraceIdAndFlagsWithANewSpan() {
    String child = TraceContext.child(PARENT);
    assertThat(TraceContext.isValid(child)).isTrue();
    assertThat(child.substring(0, 36)).isEqualTo(PARENT.substring(0, 36));
    assertThat(child.substring(52)).isEqualTo("-01");
    assertThat(child.substring(36, 52)).isNotEqualTo(PARENT.substring(36, 52));
    assertThat(TraceContext.child(PARENT)).isNotEqualTo(child);
    assertThatThrownBy(() -> TraceContext.child("secret-token-value"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageNotContaining("secret");
  }
}
