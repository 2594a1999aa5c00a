package dev.keel.advisor.internal.yaml;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * A YAML mapping with typed, line-aware accessors. {@code what} names the element in messages, such
 * as {@code consumer 'billing'}; every error carries the line of the offending node.
 */
final class YamlMap {
  private final String what;
  private final MappingNode node;
  private final Map<String, NodeTuple> entries = new LinkedHashMap<>();

  private YamlMap(String what, MappingNode node, Set<String> allowed) {
    this.what = what;
    this.node = node;
    for (NodeTuple t : node.getValue()) {
      Node k = t.getKeyNode();
      if (!(k instanceof ScalarNode key)) {
        throw new YamlError(line(k), what + " has a key that is not a plain name");
      }
      if (!allowed.contains(key.getValue())) {
        throw new YamlError(
            line(k),
            "unknown key '"
                + key.getValue()
                + "' in "
                + what
                + "; expected one of "
                + String.join(", ", new TreeSet<>(allowed)));
      }
      if (entries.put(key.getValue(), t) != null) {
        throw new YamlError(line(k), "key '" + key.getValue() + "' repeated in " + what);
      }
    }
  }

  /** Reads a node that must be a mapping with only the allowed keys. */
  static YamlMap of(Node node, String what, Set<String> allowed) {
    if (!(node instanceof MappingNode m)) {
      throw new YamlError(line(node), what + " must be a mapping (key: value lines)");
    }
    return new YamlMap(what, m, allowed);
  }

  /** The scalar under {@code name} of a mapping node, without checking anything else. */
  static Optional<String> peekName(Node node) {
    if (node instanceof MappingNode m) {
      for (NodeTuple t : m.getValue()) {
        if (t.getKeyNode() instanceof ScalarNode k
            && k.getValue().equals("name")
            && t.getValueNode() instanceof ScalarNode v) {
          return Optional.of(v.getValue());
        }
      }
    }
    return Optional.empty();
  }

  static int line(Node node) {
    return node.getStartMark().getLine() + 1;
  }

  /** The line where the mapping starts. */
  int line() {
    return line(node);
  }

  /** The line of a key's value, or of the mapping when absent. */
  int line(String key) {
    NodeTuple t = entries.get(key);
    return t == null ? line() : line(t.getValueNode());
  }

  String what() {
    return what;
  }

  boolean has(String key) {
    NodeTuple t = entries.get(key);
    return t != null && !isNull(t.getValueNode());
  }

  private static boolean isNull(Node n) {
    return n instanceof ScalarNode && n.getTag().equals(Tag.NULL);
  }

  /** The value node of a key that must be present. */
  Node node(String key) {
    if (!has(key)) {
      throw new YamlError(line(), what + " has no " + key);
    }
    return entries.get(key).getValueNode();
  }

  /** A required scalar, as text. */
  String string(String key) {
    return scalar(node(key), key);
  }

  /** An optional scalar, as text. */
  Optional<String> optString(String key) {
    return has(key) ? Optional.of(string(key)) : Optional.empty();
  }

  private String scalar(Node n, String key) {
    if (!(n instanceof ScalarNode s)) {
      throw new YamlError(
          line(n), what + ": " + key + " must be a single value, not a list or map");
    }
    return s.getValue();
  }

  /** An optional integer. */
  Optional<Integer> optInt(String key) {
    if (!has(key)) {
      return Optional.empty();
    }
    Node n = node(key);
    String v = scalar(n, key);
    if (!n.getTag().equals(Tag.INT)) {
      throw new YamlError(line(n), what + ": " + key + " must be an integer, was '" + v + "'");
    }
    try {
      return Optional.of(Integer.parseInt(v.replace("_", "")));
    } catch (NumberFormatException e) {
      throw new YamlError(line(n), what + ": " + key + " is out of range, was '" + v + "'");
    }
  }

  /** An optional decimal number. */
  Optional<Double> optDouble(String key) {
    if (!has(key)) {
      return Optional.empty();
    }
    Node n = node(key);
    String v = scalar(n, key);
    if (!n.getTag().equals(Tag.INT) && !n.getTag().equals(Tag.FLOAT)) {
      throw new YamlError(line(n), what + ": " + key + " must be a number, was '" + v + "'");
    }
    return Optional.of(Double.parseDouble(v.replace("_", "")));
  }

  /** An optional boolean with a default. */
  boolean bool(String key, boolean dflt) {
    if (!has(key)) {
      return dflt;
    }
    Node n = node(key);
    String v = scalar(n, key);
    if (!n.getTag().equals(Tag.BOOL)) {
      throw new YamlError(line(n), what + ": " + key + " must be true or false, was '" + v + "'");
    }
    return Boolean.parseBoolean(v.toLowerCase(java.util.Locale.ROOT));
  }

  /** An optional duration such as {@code 30s}, {@code 7d} or {@code PT5M}. */
  Optional<Duration> optDuration(String key) {
    if (!has(key)) {
      return Optional.empty();
    }
    Node n = node(key);
    return Optional.of(YamlValues.duration(scalar(n, key), line(n), what + ": " + key));
  }

  /** An optional lower-case, dash-separated enum value, such as {@code non-blocking}. */
  <E extends Enum<E>> Optional<E> optEnum(String key, Class<E> type) {
    if (!has(key)) {
      return Optional.empty();
    }
    Node n = node(key);
    return Optional.of(YamlValues.enumValue(type, scalar(n, key), line(n), what + ": " + key));
  }

  /** An optional sequence; each item given to the caller with its node. */
  List<Node> list(String key) {
    if (!has(key)) {
      return List.of();
    }
    Node n = node(key);
    if (!(n instanceof SequenceNode s)) {
      throw new YamlError(line(n), what + ": " + key + " must be a list");
    }
    return new ArrayList<>(s.getValue());
  }

  /** An optional list of scalars; a single scalar counts as a list of one. */
  List<String> strings(String key) {
    if (has(key) && node(key) instanceof ScalarNode s) {
      return List.of(s.getValue());
    }
    List<String> out = new ArrayList<>();
    for (Node item : list(key)) {
      out.add(scalar(item, key + "[]"));
    }
    return out;
  }

  /** A nested mapping, if present. */
  Optional<YamlMap> optMap(String key, String nestedWhat, Set<String> allowed) {
    return has(key) ? Optional.of(of(node(key), nestedWhat, allowed)) : Optional.empty();
  }
}
