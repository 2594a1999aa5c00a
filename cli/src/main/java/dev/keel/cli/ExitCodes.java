package dev.keel.cli;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The exit codes of every {@code keel} command, defined once: {@code keel --help} prints this table
 * and the README repeats it.
 *
 * <table>
 *   <caption>Exit codes</caption>
 *   <tr><th>code</th><th>meaning</th></tr>
 *   <tr><td>0</td><td>{@link #OK}</td></tr>
 *   <tr><td>1</td><td>{@link #REFUSED}</td></tr>
 *   <tr><td>2</td><td>{@link #USAGE}</td></tr>
 *   <tr><td>3</td><td>{@link #UNAVAILABLE}</td></tr>
 *   <tr><td>4</td><td>{@link #FAILED}</td></tr>
 * </table>
 */
public final class ExitCodes {
  /** Done: everything asked was done (or, for a dry run or a listing, shown). */
  public static final int OK = 0;

  /**
   * Refused or partial: the command ran but left something undone on purpose: a replay refused a
   * dead letter, the dead letter, saga, event or lane named is not there (or not in a state the
   * action applies to), or the advisor's review found a finding at or above {@code --fail-on}.
   */
  public static final int REFUSED = 1;

  /**
   * Usage or configuration error: an unknown or missing option, an invalid value, no database user,
   * an unreadable file or topology, tables that are not installed; nothing was changed.
   */
  public static final int USAGE = 2;

  /** The database or Kafka could not be reached, or refused the login. */
  public static final int UNAVAILABLE = 3;

  /**
   * Failed: an unexpected error; an action that stopped part way has audited what it did before and
   * can be run again.
   */
  public static final int FAILED = 4;

  private ExitCodes() {}

  /**
   * Each code with one line saying what it means, in order, as the help and the README print it.
   */
  public static Map<String, String> table() {
    Map<String, String> t = new LinkedHashMap<>();
    t.put(String.valueOf(OK), "done");
    t.put(
        String.valueOf(REFUSED),
        "refused or partial: a dead letter refused, nothing found, a gate failed");
    t.put(
        String.valueOf(USAGE),
        "usage or configuration error (a flag, environment variable or file)");
    t.put(String.valueOf(UNAVAILABLE), "database or Kafka unreachable, or the login refused");
    t.put(String.valueOf(FAILED), "unexpected failure (what was done before it is audited)");
    return t;
  }
}
