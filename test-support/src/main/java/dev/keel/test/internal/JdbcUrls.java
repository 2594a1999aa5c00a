package dev.keel.test.internal;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/** Reads and adds query parameters of JDBC URLs. */
final class JdbcUrls {
  private JdbcUrls() {}

  static Optional<String> parameter(String url, String name) {
    int q = url.indexOf('?');
    if (q < 0) {
      return Optional.empty();
    }
    for (String pair : url.substring(q + 1).split("&")) {
      int eq = pair.indexOf('=');
      String key = eq < 0 ? pair : pair.substring(0, eq);
      if (key.equals(name)) {
        return Optional.of(
            eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
      }
    }
    return Optional.empty();
  }

  static String withParameter(String url, String name, String value) {
    return url + (url.indexOf('?') < 0 ? "?" : "&") + name + "=" + value;
  }
}
