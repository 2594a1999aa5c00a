package dev.keel.advisor.internal.rules;

import static dev.keel.advisor.internal.Checks.q;

import dev.keel.advisor.Finding;
import dev.keel.advisor.Rule;
import dev.keel.advisor.SagaSpec;
import dev.keel.advisor.SagaStepSpec;
import dev.keel.advisor.Topology;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** KEEL-R013: every saga step has a compensation and a timeout. */
final class SagaRules implements RuleFamily {

  @Override
  public List<Finding> check(Topology t, Instant now) {
    List<Finding> out = new ArrayList<>();
    for (SagaSpec saga : t.sagas()) {
      for (SagaStepSpec step : saga.steps()) {
        List<String> missing = new ArrayList<>();
        List<String> consequences = new ArrayList<>();
        if (step.compensation().isEmpty()) {
          missing.add("compensation");
          consequences.add("a later failure leaves its effect in place");
        }
        if (step.timeout().isEmpty()) {
          missing.add("timeout");
          consequences.add("a lost reply leaves the saga waiting forever");
        }
        if (missing.isEmpty()) {
          continue;
        }
        out.add(
            new Finding(
                Rule.SAGA_STEP_INCOMPLETE,
                "saga " + q(saga.name()) + " step " + q(step.name()),
                "Step "
                    + step.name()
                    + " has no "
                    + String.join(" and no ", missing)
                    + ": "
                    + String.join("; ", consequences)
                    + ".",
                "Declare "
                    + String.join(" and ", missing)
                    + " for the step (a compensating command such as a release or void, and the"
                    + " longest reply time you accept)."));
      }
    }
    return out;
  }
}
