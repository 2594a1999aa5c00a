package dev.keel.advisor.internal.yaml;

import dev.keel.event.contract.ContractField;
import dev.keel.event.contract.Deprecation;
import dev.keel.event.contract.EventContract;
import dev.keel.event.contract.FieldRole;
import dev.keel.event.contract.FieldType;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.yaml.snakeyaml.nodes.Node;

/** Reads contract fields, deprecations and the previous contract version of an event. */
final class ContractReader {
  private static final Set<String> FIELD = Set.of("name", "type", "role", "required");
  private static final Set<String> DEPRECATION = Set.of("field", "since", "window", "note");
  private static final Set<String> PREVIOUS =
      Set.of("version", "owner", "orderingKey", "fields", "deprecations");

  List<ContractField> fields(YamlMap parent) {
    List<ContractField> out = new ArrayList<>();
    for (Node n : parent.list("fields")) {
      String what =
          YamlMap.peekName(n).map(x -> "field '" + x + "'").orElse("a field")
              + " of "
              + parent.what();
      YamlMap m = YamlMap.of(n, what, FIELD);
      String name = m.string("name");
      FieldType type = m.optEnum("type", FieldType.class).orElseThrow(() -> missing(m, "type"));
      FieldRole role = m.optEnum("role", FieldRole.class).orElseThrow(() -> missing(m, "role"));
      boolean required = m.bool("required", true);
      out.add(YamlTopologyReader.guard(m, () -> new ContractField(name, type, role, required)));
    }
    return out;
  }

  List<Deprecation> deprecations(YamlMap parent) {
    List<Deprecation> out = new ArrayList<>();
    for (Node n : parent.list("deprecations")) {
      YamlMap m = YamlMap.of(n, "a deprecation of " + parent.what(), DEPRECATION);
      String field = m.string("field");
      var since = YamlValues.instant(m.string("since"), m.line("since"), m.what() + ": since");
      Duration window = m.optDuration("window").orElseThrow(() -> missing(m, "window"));
      String note = m.optString("note").orElse("");
      out.add(YamlTopologyReader.guard(m, () -> new Deprecation(field, since, window, note)));
    }
    return out;
  }

  Optional<EventContract> previous(YamlMap event, String name, String defaultOwner) {
    Optional<YamlMap> prev =
        event.optMap("previous", "the previous version of " + event.what(), PREVIOUS);
    if (prev.isEmpty()) {
      return Optional.empty();
    }
    YamlMap m = prev.get();
    int version = m.optInt("version").orElseThrow(() -> missing(m, "version"));
    EventContract.Builder b =
        EventContract.builder(name, version).owner(m.optString("owner").orElse(defaultOwner));
    m.optString("orderingKey").ifPresent(b::orderingKey);
    fields(m).forEach(b::field);
    deprecations(m).forEach(b::deprecate);
    return Optional.of(YamlTopologyReader.guard(m, b::build));
  }

  private static YamlError missing(YamlMap m, String key) {
    return new YamlError(m.line(), m.what() + " has no " + key);
  }
}
