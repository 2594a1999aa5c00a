package dev.keel.event.support;

import java.util.Collection;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Masks secrets in text that is about to be printed or logged: passwords in JDBC and other URLs
 * ({@code user:secret@host}, {@code password=secret}, {@code ;password=secret}), quoted secrets in
 * JAAS settings ({@code password="secret"}), and any literal secret values the caller knows of.
 * Driver and pool errors repeat the URL they were given, so every message that may carry one goes
 * through {@link #redact(String, Collection)} before it reaches a terminal or a log.
 *
 * <p>Thread-safe: stateless.
 */
public final class Secrets {
  /** What a masked secret reads as. */
  public static final String MASK = "****";

  private static final String KEYS =
      "(?:password|passwd|pwd|sslpassword|sslkey|secret|client_secret|token|access_?token"
          + "|api_?key|access_?key|secret_?key|sasl\\.jaas\\.config|ssl\\.key\\.password"
          + "|ssl\\.keystore\\.password|ssl\\.truststore\\.password|basic\\.auth\\.user\\.info)";
  private static final Pattern QUOTED = Pattern.compile("(?i)(\\b" + KEYS + "\\s*=\\s*)\"[^\"]*\"");
  private static final Pattern PARAM =
      Pattern.compile("(?i)(\\b" + KEYS + "\\s*[=:]\\s*)(?!\\*\\*\\*\\*)[^&;,\\s'\"()\\]}]+");
  private static final Pattern USER_INFO =
      Pattern.compile("(?i)(\\b[a-z][a-z0-9+.:-]*://[^/\\s:@?;]*):([^@/\\s]+)@");

  private Secrets() {}

  /**
   * The text with secrets masked.
   *
   * @param text any text, null gives null
   * @param known literal secret values to mask wherever they occur (blank ones are ignored)
   */
  public static String redact(String text, Collection<String> known) {
    if (text == null) {
      return null;
    }
    String s = text;
    for (String secret : known) {
      if (secret != null && !secret.isBlank()) {
        s = s.replace(secret, MASK);
      }
    }
    s = QUOTED.matcher(s).replaceAll(m -> Matcher.quoteReplacement(m.group(1) + '"' + MASK + '"'));
    s = PARAM.matcher(s).replaceAll(m -> Matcher.quoteReplacement(m.group(1) + MASK));
    s =
        USER_INFO
            .matcher(s)
            .replaceAll(m -> Matcher.quoteReplacement(m.group(1) + ":" + MASK + "@"));
    return s;
  }

  /** The text with the secrets its own shape gives away masked; see the class comment. */
  public static String redact(String text) {
    return redact(text, java.util.List.of());
  }

  /**
   * Whether a client property of this name holds a secret ({@code ssl.key.password}, {@code
   * sasl.jaas.config}, anything naming a password, secret, token or key material).
   */
  public static boolean isSecretKey(String name) {
    String n = name.toLowerCase(Locale.ROOT);
    return n.contains("password")
        || n.contains("secret")
        || n.contains("token")
        || n.contains("jaas")
        || n.contains("credential")
        || n.endsWith(".key")
        || n.contains("user.info");
  }

  /** The properties sorted by name, secret values masked: for logs and error messages. */
  public static Map<String, Object> redactProperties(Map<String, ?> properties) {
    Map<String, Object> out = new TreeMap<>();
    properties.forEach((k, v) -> out.put(k, isSecretKey(k) ? MASK : v));
    return out;
  }

  /**
   * The literal secret values among the properties, for {@link #redact(String, Collection)}: each
   * secret property's value and the quoted secrets inside it (the password of a JAAS setting).
   */
  public static java.util.List<String> secretValues(Map<String, ?> properties) {
    java.util.List<String> out = new java.util.ArrayList<>();
    properties.forEach(
        (k, v) -> {
          if (v != null && isSecretKey(k)) {
            String value = v.toString();
            out.add(value);
            Matcher m = QUOTED.matcher(value);
            while (m.find()) {
              String quoted = m.group();
              out.add(quoted.substring(quoted.indexOf('"') + 1, quoted.length() - 1));
            }
          }
        });
    out.removeIf(String::isBlank);
    return out;
  }

  /**
   * A copy of the exception chain with every message redacted: each link becomes a {@link
   * RuntimeException} whose message starts with the original class name, with the original stack
   * trace. For errors of drivers and pools, which repeat the URL (and so its password) they were
   * given.
   *
   * @param e the exception to copy
   * @param known literal secret values to mask
   */
  public static RuntimeException redacted(Throwable e, Collection<String> known) {
    RuntimeException cause = e.getCause() == null ? null : redacted(e.getCause(), known);
    String message = redact(e.getMessage(), known);
    RuntimeException copy =
        new RuntimeException(
            e.getClass().getName() + (message == null ? "" : ": " + message), cause);
    copy.setStackTrace(e.getStackTrace());
    return copy;
  }
}
