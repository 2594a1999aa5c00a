package dev.keel.event.internal;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits a SQL script into statements at semicolons outside quotes, comments and PostgreSQL
 * dollar-quoted bodies.
 */
public final class SqlStatements {
  private SqlStatements() {}

  /** The statements of a script, trimmed, without empty ones and without trailing semicolons. */
  public static List<String> split(String script) {
    List<String> out = new ArrayList<>();
    StringBuilder current = new StringBuilder();
    int i = 0;
    int n = script.length();
    while (i < n) {
      char c = script.charAt(i);
      if (c == '-' && i + 1 < n && script.charAt(i + 1) == '-') {
        int end = script.indexOf('\n', i);
        i = end < 0 ? n : end + 1;
        current.append('\n');
      } else if (c == '/' && i + 1 < n && script.charAt(i + 1) == '*') {
        int end = script.indexOf("*/", i + 2);
        i = end < 0 ? n : end + 2;
        current.append(' ');
      } else if (c == '\'' || c == '"' || c == '`') {
        int end = closing(script, i + 1, c);
        current.append(script, i, end);
        i = end;
      } else if (c == '$' && dollarTag(script, i) != null) {
        String tag = dollarTag(script, i);
        int close = script.indexOf(tag, i + tag.length());
        int end = close < 0 ? n : close + tag.length();
        current.append(script, i, end);
        i = end;
      } else if (c == ';') {
        add(out, current);
        current.setLength(0);
        i++;
      } else {
        current.append(c);
        i++;
      }
    }
    add(out, current);
    return out;
  }

  private static int closing(String s, int from, char quote) {
    int i = from;
    while (i < s.length()) {
      if (s.charAt(i) == quote) {
        if (i + 1 < s.length() && s.charAt(i + 1) == quote) {
          i += 2;
          continue;
        }
        return i + 1;
      }
      i++;
    }
    return s.length();
  }

  private static String dollarTag(String s, int at) {
    int i = at + 1;
    while (i < s.length() && (Character.isLetterOrDigit(s.charAt(i)) || s.charAt(i) == '_')) {
      i++;
    }
    if (i < s.length() && s.charAt(i) == '$') {
      return s.substring(at, i + 1);
    }
    return null;
  }

  private static void add(List<String> out, StringBuilder sb) {
    String sql = sb.toString().trim();
    if (!sql.isEmpty()) {
      out.add(sql);
    }
  }
}
