package dev.keel.event;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.EnumMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FailureClassTest {

  @Test
  void everyClassHasItsDocumentedDefaultAction() {
    Map<FailureClass, FailureAction> expected = new EnumMap<>(FailureClass.class);
    expected.put(FailureClass.DESERIALIZATION, FailureAction.DEAD_LETTER);
    expected.put(FailureClass.CONTRACT_VERSION, FailureAction.DEAD_LETTER);
    expected.put(FailureClass.VALIDATION, FailureAction.DEAD_LETTER);
    expected.put(FailureClass.TRANSIENT, FailureAction.RETRY);
    expected.put(FailureClass.BUSINESS, FailureAction.DEAD_LETTER);
    expected.put(FailureClass.UNKNOWN, FailureAction.RETRY);
    expected.put(FailureClass.FATAL, FailureAction.FAIL_FAST);
    assertThat(expected.keySet()).containsExactly(FailureClass.values());
    for (FailureClass c : FailureClass.values()) {
      assertThat(c.defaultAction()).as(c.name()).isEqualTo(expected.get(c));
    }
  }

  @Test
  void onlyFatalFailsFastByDefault() {
    for (FailureClass c : FailureClass.values()) {
      assertThat(c.defaultAction() == FailureAction.FAIL_FAST)
          .as(c.name())
          .isEqualTo(c == FailureClass.FATAL);
    }
  }

  @Test
  void fatalExceptionIsClassifiedFatalAndFailsFast() {
    FatalKeelException e = new FatalKeelException("relay r-1 lost lane 3", new RuntimeException());
    assertThat(e.failureClass()).isEqualTo(FailureClass.FATAL);
    assertThat(e.failureClass().defaultAction()).isEqualTo(FailureAction.FAIL_FAST);
    assertThat(new FatalKeelException("x").failureClass()).isEqualTo(FailureClass.FATAL);
  }

  @Test
  void theOtherRootsKeepTheirClasses() {
    assertThat(new RetriableKeelException("x").failureClass().defaultAction())
        .isEqualTo(FailureAction.RETRY);
    assertThat(new KeelConfigurationException("x").failureClass())
        .isEqualTo(FailureClass.VALIDATION);
    assertThat(new MalformedEventException("keel-source", "x").failureClass())
        .isEqualTo(FailureClass.DESERIALIZATION);
  }

  @Test
  void tagsAreLowerCaseNames() {
    assertThat(FailureClass.FATAL.tag()).isEqualTo("fatal");
    assertThat(FailureClass.CONTRACT_VERSION.tag()).isEqualTo("contract_version");
  }
}
