package dev.keel.advisor;

import dev.keel.event.KeelConfigurationException;
import java.util.List;

/**
 * A topology could not be read or is inconsistent. Each problem is one line; problems read from a
 * file start with {@code file:line:}, for example {@code topology.yaml:17: consumer 'billing' has
 * no group}.
 */
public class TopologyException extends KeelConfigurationException {
  private static final long serialVersionUID = 1L;

  /** The problems, each a sentence naming the element. */
  private final List<String> problems;

  /**
   * @param problems one line per problem, in source order; at least one
   */
  public TopologyException(List<String> problems) {
    super(String.join("\n", problems));
    this.problems = List.copyOf(problems);
  }

  /** The problems, one line each, in source order. */
  public List<String> problems() {
    return problems;
  }
}
