package dev.keel.saga.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Reasons made safe for a header and a text column. */
class SagaTextTest {

  @Test
  void controlCharactersBecomeSpacesAndLoneSurrogatesReplacementCharacters() {
    assertThat(SagaText.clean("no\u0000carrier\n\u0001", 500)).isEqualTo("no carrier  ");
    assertThat(SagaText.clean("a\ud800b\udc00", 500)).isEqualTo("a\uFFFDb\uFFFD");
    assertThat(SagaText.clean("\ud83d\ude00", 500)).isEqualTo("\ud83d\ude00");
    assertThat(SagaText.clean(null, 500)).isNull();
  }

  @Test
  void theCutNeverSplitsASurrogatePair() {
    assertThat(SagaText.clean("ab\ud83d\ude00", 3)).isEqualTo("ab");
    assertThat(SagaText.clean("ab\ud83d\ude00", 4)).isEqualTo("ab\ud83d\ude00");
    assertThat(SagaText.clean("abcdef", 3)).isEqualTo("abc");
  }
}
