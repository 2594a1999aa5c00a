package dev.keel.advisor.internal;

import dev.keel.advisor.Advisor;
import dev.keel.advisor.Finding;
import dev.keel.advisor.Mode;
import dev.keel.advisor.Report;
import dev.keel.advisor.Topology;
import dev.keel.advisor.internal.doc.Doc;
import dev.keel.advisor.internal.doc.JsonRenderer;
import dev.keel.advisor.internal.doc.MarkdownRenderer;
import dev.keel.advisor.internal.modes.ContractMode;
import dev.keel.advisor.internal.modes.DesignMode;
import dev.keel.advisor.internal.modes.MigrationMode;
import dev.keel.advisor.internal.modes.ReliabilityMode;
import dev.keel.advisor.internal.modes.ReviewMode;
import dev.keel.advisor.internal.rules.Reviewer;
import java.time.Clock;
import java.util.List;

/** The {@link Advisor}: runs the rules, builds each mode's document and renders it. */
public final class DefaultAdvisor implements Advisor {
  private final Clock clock;

  /**
   * @param clock decides whether deprecation windows have passed
   */
  public DefaultAdvisor(Clock clock) {
    this.clock = clock;
  }

  @Override
  public List<Finding> findings(Topology topology) {
    return Reviewer.review(topology, clock.instant());
  }

  @Override
  public Report design(Topology t) {
    return report(Mode.DESIGN, t, DesignMode.build(t, findings(t)), List.of());
  }

  @Override
  public Report review(Topology t) {
    List<Finding> findings = findings(t);
    return report(Mode.REVIEW, t, ReviewMode.build(t, findings), findings);
  }

  @Override
  public Report contract(Topology t, String event) {
    List<Finding> mine = ContractMode.findingsOf(t, event, findings(t));
    return report(Mode.CONTRACT, t, ContractMode.build(t, event, clock.instant(), mine), mine);
  }

  @Override
  public Report reliability(Topology t) {
    return report(Mode.RELIABILITY, t, ReliabilityMode.build(t), List.of());
  }

  @Override
  public Report migration(Topology t) {
    return report(Mode.MIGRATION, t, MigrationMode.build(t), List.of());
  }

  private static Report report(Mode mode, Topology t, Doc doc, List<Finding> findings) {
    return new RenderedReport(
        mode,
        doc.title(),
        findings,
        MarkdownRenderer.render(doc),
        JsonRenderer.render(mode.cliName(), t.system(), doc, findings));
  }

  /** An immutable rendered report. */
  record RenderedReport(
      Mode mode, String title, List<Finding> findings, String markdown, String json)
      implements Report {
    RenderedReport {
      findings = List.copyOf(findings);
    }
  }
}
