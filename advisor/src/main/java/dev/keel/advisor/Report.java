package dev.keel.advisor;

import java.util.List;

/**
 * The output of one advisor mode: rendered Markdown (with Mermaid diagrams) and JSON, plus the
 * findings it contains. Deterministic: the same topology and instant give byte-identical output.
 * Immutable and thread-safe.
 */
public interface Report {
  /** The mode that produced the report. */
  Mode mode();

  /** The title, such as {@code Review: order-fulfillment}. */
  String title();

  /**
   * The findings shown in this report: every finding for {@code review}, the element's findings for
   * {@code contract}, none for the other modes. Most severe first.
   */
  List<Finding> findings();

  /** The report as GitHub-flavoured Markdown with Mermaid code blocks, ending with a newline. */
  String markdown();

  /** The report as pretty-printed JSON, ending with a newline. */
  String json();

  /** Whether a finding of at least this severity is present. */
  default boolean hasFindingsAtLeast(Severity severity) {
    return findings().stream().anyMatch(f -> f.severity().atLeast(severity));
  }
}
