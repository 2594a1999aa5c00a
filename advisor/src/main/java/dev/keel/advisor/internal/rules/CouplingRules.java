package dev.keel.advisor.internal.rules;

import static dev.keel.advisor.internal.Checks.q;

import dev.keel.advisor.CommandSpec;
import dev.keel.advisor.ConsumerSpec;
import dev.keel.advisor.EventSpec;
import dev.keel.advisor.Finding;
import dev.keel.advisor.Rule;
import dev.keel.advisor.SyncCall;
import dev.keel.advisor.Topology;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;

/** KEEL-R009 (request-response over the bus) and KEEL-R014 (hidden synchronous coupling). */
final class CouplingRules implements RuleFamily {

  @Override
  public List<Finding> check(Topology t, Instant now) {
    List<Finding> out = new ArrayList<>();
    for (SyncCall call : t.synchronous()) {
      if (call.transport() == SyncCall.Transport.BUS && call.immediate()) {
        out.add(
            new Finding(
                Rule.REQUEST_RESPONSE_OVER_BUS,
                "synchronous " + q(call.id()),
                call.caller()
                    + " waits for "
                    + call.callee()
                    + " to answer "
                    + call.operation()
                    + " through Kafka: the answer arrives after consumer lag, rebalances and"
                    + " retries, or never.",
                "Call "
                    + call.callee()
                    + " directly (HTTP or gRPC) with a timeout and a circuit"
                    + " breaker; keep the bus for facts the caller does not wait for."));
      }
    }
    for (ConsumerSpec c : t.consumers()) {
      TreeSet<String> producers = new TreeSet<>();
      for (String m : c.consumes()) {
        source(t, m).filter(c.calls()::contains).ifPresent(producers::add);
      }
      for (String p : producers) {
        out.add(
            new Finding(
                Rule.HIDDEN_SYNC_COUPLING,
                "consumer " + q(c.name()),
                c.name()
                    + " handles messages from "
                    + p
                    + " and calls "
                    + p
                    + " synchronously while doing so: when "
                    + p
                    + " is down its own events pile up in retries and dead letters.",
                "Carry what the consumer needs in the event (event-carried state transfer), or"
                    + " keep a local read model fed by "
                    + p
                    + "'s events."));
      }
    }
    return out;
  }

  private static Optional<String> source(Topology t, String message) {
    return t.event(message)
        .map(EventSpec::producer)
        .or(() -> t.command(message).map(CommandSpec::sender));
  }
}
