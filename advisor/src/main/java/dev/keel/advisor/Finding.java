package dev.keel.advisor;

import java.util.Comparator;
import java.util.Objects;

/**
 * One problem the review found. Immutable.
 *
 * @param rule the rule that fired; its id is stable ({@code KEEL-R003})
 * @param element the element concerned, such as {@code consumer 'billing'}
 * @param why why it matters here, naming the element's values
 * @param fix what to change
 */
public record Finding(Rule rule, String element, String why, String fix) {
  /** Most severe first, then by rule id, then by element. */
  public static final Comparator<Finding> ORDER =
      Comparator.comparing(Finding::severity)
          .reversed()
          .thenComparing(f -> f.rule().id())
          .thenComparing(Finding::element);

  /** Validates presence. */
  public Finding {
    Objects.requireNonNull(rule, "rule");
    Objects.requireNonNull(element, "element");
    Objects.requireNonNull(why, "why");
    Objects.requireNonNull(fix, "fix");
  }

  /** The rule's severity. */
  public Severity severity() {
    return rule.severity();
  }
}
