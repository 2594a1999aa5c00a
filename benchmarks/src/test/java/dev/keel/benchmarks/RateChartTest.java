package dev.keel.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;

class RateChartTest {
  private static final long MS = 1_000_000L;

  @Test
  void gridStepsAreRound() {
    assertThat(RateChart.step(1000)).isEqualTo(200);
    assertThat(RateChart.step(73_000)).isEqualTo(20_000);
    assertThat(RateChart.step(0.7)).isEqualTo(0.2, org.assertj.core.api.Assertions.within(1e-9));
    assertThat(RateChart.step(0)).isEqualTo(1);
  }

  @Test
  void aShortLastBucketJoinsTheOneBefore() {
    RateChart.Series s =
        new RateChart.Series("x", new long[] {10, 10, 10, 10, 1}, 205 * MS, 0, false);
    List<RateChart.Segment> segs = RateChart.segments(s, 50 * MS, 100 * MS);
    assertThat(segs)
        .containsExactly(
            new RateChart.Segment(0, 100 * MS, 20), new RateChart.Segment(100 * MS, 205 * MS, 21));
  }

  @Test
  void aLastBucketOfAtLeastHalfAWidthStaysOnItsOwn() {
    RateChart.Series s = new RateChart.Series("x", new long[] {10, 10, 4}, 130 * MS, 0, false);
    assertThat(RateChart.segments(s, 50 * MS, 50 * MS))
        .containsExactly(
            new RateChart.Segment(0, 50 * MS, 10),
            new RateChart.Segment(50 * MS, 100 * MS, 10),
            new RateChart.Segment(100 * MS, 130 * MS, 4));
  }

  @Test
  void theChartIsWellFormedWithALinePerSeriesAndAClippedCeiling() throws Exception {
    String svg =
        RateChart.svg(
            "title <&>",
            "sub",
            List.of(
                new RateChart.Series("ceiling", new long[] {5000, 5000}, 100 * MS, 100_000, true),
                new RateChart.Series("relay", new long[] {100, 100, 100}, 150 * MS, 2000, false)),
            50 * MS);
    Document doc =
        DocumentBuilderFactory.newInstance()
            .newDocumentBuilder()
            .parse(new ByteArrayInputStream(svg.getBytes(StandardCharsets.UTF_8)));
    assertThat(doc.getElementsByTagName("polyline").getLength()).isEqualTo(2);
    assertThat(svg).contains("clipped at the top").contains("title &lt;&amp;&gt;");
  }

  @Test
  void everyContenderOfTheDrainHasAColourOfItsOwn() {
    List<RateChart.Series> series = new java.util.ArrayList<>();
    for (int i = 0; i < 10; i++) {
      series.add(new RateChart.Series("c" + i, new long[] {100, 100}, 100 * MS, 2000, false));
    }
    String svg = RateChart.svg("t", "s", series, 50 * MS);
    java.util.regex.Matcher m =
        java.util.regex.Pattern.compile("<polyline[^>]*stroke=\"(#[0-9a-f]{6})\"").matcher(svg);
    java.util.Set<String> colours = new java.util.HashSet<>();
    int lines = 0;
    while (m.find()) {
      colours.add(m.group(1));
      lines++;
    }
    assertThat(lines).isEqualTo(10);
    assertThat(colours).hasSize(10);
  }
}
