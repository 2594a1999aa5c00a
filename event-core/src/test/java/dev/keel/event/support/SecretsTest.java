package dev.keel.event.support;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SecretsTest {
  private static final String PW = "S3cr3t-Pw";

  @Test
  void passwordsInEveryUrlShapeAreMasked() {
    List<String> urls =
        List.of(
            "jdbc:postgresql://db:5432/app?user=svc&password=" + PW,
            "jdbc:postgresql://db:5432/app?password=" + PW + "&ssl=true",
            "jdbc:mariadb://db:3306/app?user=root&password=" + PW,
            "jdbc:mysql://svc:" + PW + "@db:3306/app",
            "jdbc:sqlserver://db;user=svc;password=" + PW + ";encrypt=true",
            "jdbc:postgresql://db/app?sslpassword=" + PW,
            "No suitable driver found for jdbc:nosuch://db/app?PASSWORD=" + PW,
            "sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required"
                + " username=\"svc\" password=\""
                + PW
                + "\";",
            "ssl.key.password: " + PW);
    for (String url : urls) {
      assertThat(Secrets.redact(url)).as(url).doesNotContain(PW).contains(Secrets.MASK);
    }
    assertThat(Secrets.redact("jdbc:postgresql://db:5432/app?user=svc&password=" + PW))
        .isEqualTo("jdbc:postgresql://db:5432/app?user=svc&password=****");
    assertThat(Secrets.redact("jdbc:mysql://svc:" + PW + "@db:3306/app"))
        .isEqualTo("jdbc:mysql://svc:****@db:3306/app");
  }

  @Test
  void knownValuesAreMaskedWhereverTheyAppear() {
    assertThat(Secrets.redact("login failed for hunter2-long in db", List.of("hunter2-long")))
        .isEqualTo("login failed for **** in db");
    assertThat(Secrets.redact("nothing here", java.util.Arrays.asList(null, " ")))
        .isEqualTo("nothing here");
    assertThat(Secrets.redact(null, List.of())).isNull();
  }

  @Test
  void textWithoutSecretsIsUnchanged() {
    String plain = "jdbc:postgresql://db:5432/app?user=svc&ssl=true; token count 3, keys=[a]";
    assertThat(Secrets.redact(plain)).isEqualTo(plain);
  }

  @Test
  void clientPropertiesThatHoldSecretsAreRecognised() {
    Map<String, Object> props =
        Map.of(
            "bootstrap.servers",
            "kafka:9092",
            "sasl.jaas.config",
            "x password=\"" + PW + "\";",
            "ssl.keystore.password",
            PW,
            "ssl.key.password",
            PW,
            "basic.auth.user.info",
            "u:" + PW);
    assertThat(Secrets.redactProperties(props).toString())
        .doesNotContain(PW)
        .contains("bootstrap.servers=kafka:9092");
    assertThat(Secrets.secretValues(props)).hasSize(5).contains(PW);
  }

  @Test
  void aRedactedCopyKeepsClassesAndStackButNoSecret() {
    SQLException cause = new SQLException("bad url jdbc:x://h?password=" + PW);
    RuntimeException e = new IllegalStateException("pool failed for " + PW, cause);
    RuntimeException copy = Secrets.redacted(e, List.of(PW));
    assertThat(copy.getMessage())
        .isEqualTo("java.lang.IllegalStateException: pool failed for ****");
    assertThat(copy.getCause().getMessage())
        .startsWith("java.sql.SQLException: bad url")
        .doesNotContain(PW);
    assertThat(copy.getStackTrace()).isEqualTo(e.getStackTrace());
  }
}
