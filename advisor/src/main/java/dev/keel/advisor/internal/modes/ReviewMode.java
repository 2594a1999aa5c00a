package dev.keel.advisor.internal.modes;

import dev.keel.advisor.Finding;
import dev.keel.advisor.Rule;
import dev.keel.advisor.Severity;
import dev.keel.advisor.Topology;
import dev.keel.advisor.internal.doc.Doc;
import java.util.ArrayList;
import java.util.List;

/** The {@code review} mode: findings by severity, then the rules that were checked. */
public final class ReviewMode {
  private ReviewMode() {}

  /** Builds the review document from sorted findings. */
  public static Doc build(Topology t, List<Finding> findings) {
    Doc d = new Doc("Review: " + t.system());
    if (findings.isEmpty()) {
      d.p("No findings: the topology follows every rule below.");
    } else {
      List<String> counts = new ArrayList<>();
      for (Severity s :
          List.of(Severity.CRITICAL, Severity.ERROR, Severity.WARNING, Severity.INFO)) {
        long n = findings.stream().filter(f -> f.severity() == s).count();
        if (n > 0) {
          counts.add(n + " " + s.name().toLowerCase(java.util.Locale.ROOT));
        }
      }
      d.p(
          findings.size()
              + (findings.size() == 1 ? " finding: " : " findings: ")
              + String.join(", ", counts)
              + ".");
      Doc.TableBuilder summary = d.table("Severity", "Rule", "Element");
      findings.forEach(f -> summary.row(f.severity().name(), f.rule().id(), f.element()));
      summary.end();
      d.h2("Findings");
      for (Finding f : findings) {
        d.h3(f.severity().name() + " " + f.rule().id() + ": " + f.element());
        d.bullets(
            List.of("**Rule:** " + f.rule().title(), "**Why:** " + f.why(), "**Fix:** " + f.fix()));
      }
    }
    d.h2("Rules checked");
    Doc.TableBuilder rules = d.table("Rule", "Severity", "Title", "Rationale", "Findings");
    for (Rule r : Rule.values()) {
      long n = findings.stream().filter(f -> f.rule() == r).count();
      rules.row(r.id(), r.severity().name(), r.title(), r.rationale(), Long.toString(n));
    }
    rules.end();
    return d;
  }
}
