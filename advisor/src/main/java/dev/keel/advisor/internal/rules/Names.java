package dev.keel.advisor.internal.rules;

import java.util.Set;

/** Heuristics on event and command names. */
public final class Names {
  private static final Set<String> IRREGULAR_PAST =
      Set.of(
          "sent",
          "paid",
          "built",
          "made",
          "held",
          "taken",
          "given",
          "done",
          "sold",
          "bought",
          "won",
          "lost",
          "set",
          "put",
          "cut",
          "split",
          "spent",
          "shut",
          "read",
          "found",
          "kept",
          "left",
          "met",
          "run",
          "told",
          "shown",
          "known",
          "seen",
          "written",
          "chosen",
          "begun",
          "drawn",
          "thrown",
          "grown",
          "frozen",
          "hidden",
          "broken",
          "spoken",
          "stolen",
          "got",
          "gotten",
          "brought",
          "caught",
          "taught",
          "bound",
          "hung",
          "struck",
          "stuck",
          "dealt",
          "felt",
          "meant",
          "lent",
          "withheld",
          "overpaid",
          "undone",
          "redone",
          "reset",
          "rebuilt");
  private static final Set<String> IMPERATIVES =
      Set.of(
          "create",
          "update",
          "delete",
          "remove",
          "send",
          "process",
          "authorize",
          "authorise",
          "reserve",
          "schedule",
          "cancel",
          "ship",
          "notify",
          "charge",
          "refund",
          "place",
          "confirm",
          "approve",
          "reject",
          "request",
          "register",
          "release",
          "void",
          "calculate",
          "validate",
          "book",
          "pay",
          "start",
          "stop",
          "submit",
          "apply",
          "assign",
          "do",
          "make",
          "get",
          "handle",
          "trigger",
          "execute",
          "generate",
          "capture",
          "allocate",
          "publish");

  private Names() {}

  /** The words of the last dotted segment: {@code order.payment-failed} gives payment, failed. */
  static String[] lastWords(String name) {
    String last = name.substring(name.lastIndexOf('.') + 1);
    return last.split("[-_]");
  }

  /** Whether the name ends in a past participle, as a fact should. */
  public static boolean pastTense(String name) {
    String[] words = lastWords(name);
    String w = words[words.length - 1];
    return (w.endsWith("ed") && w.length() > 3) || IRREGULAR_PAST.contains(w);
  }

  /** Whether the last segment starts with an imperative verb, as a command does. */
  public static boolean imperative(String name) {
    return IMPERATIVES.contains(lastWords(name)[0]);
  }
}
