package dev.keel.cli;

import dev.keel.event.support.Values;
import java.util.Map;

/**
 * Who runs an operator command, taken from the environment the command runs in rather than from its
 * arguments: {@code KEEL_ACTOR} when the deployment sets it (a wrapper that authenticated the
 * operator, a CI job, a bastion's session), else {@code SUDO_USER} (the user who ran sudo), else
 * the operating-system user. Commands record this identity in the audit trail and refuse an {@code
 * --actor} that names someone else.
 *
 * @param name the identity
 * @param source where it came from, printed with it
 */
record OperatorIdentity(String name, String source) {
  /** The environment variable a deployment sets to the authenticated operator's identity. */
  public static final String ACTOR_ENV = "KEEL_ACTOR";

  /**
   * The identity of the environment.
   *
   * @param env the command's environment variables
   */
  public static OperatorIdentity of(Map<String, String> env) {
    for (String var : new String[] {ACTOR_ENV, "SUDO_USER", "USER", "LOGNAME"}) {
      String v = env.get(var);
      if (v != null && !v.isBlank()) {
        return new OperatorIdentity(v.trim(), var);
      }
    }
    return new OperatorIdentity(System.getProperty("user.name", "unknown"), "the OS user");
  }

  /**
   * This identity, after checking a declared {@code --actor} against it.
   *
   * @param declared the {@code --actor} value, or null
   * @throws picocli.CommandLine.ParameterException (exit code 2) when it names someone else
   */
  public String confirm(String declared, picocli.CommandLine commandLine) {
    if (declared != null && !declared.equals(name)) {
      throw new picocli.CommandLine.ParameterException(
          commandLine,
          "--actor "
              + Values.quote(declared)
              + " is not the identity this command runs as: "
              + describe()
              + " (set "
              + ACTOR_ENV
              + " in the environment the command runs in)");
    }
    return name;
  }

  /** The identity and its source, escaped for a terminal. */
  public String describe() {
    return Values.quote(name) + " from " + source;
  }
}
