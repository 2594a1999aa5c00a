package dev.keel.outbox.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The guard in front of the relay's optional dependencies (pgjdbc, HikariCP). */
class OptionalClassesTest {
  /** A class loader that sees the JDK only. */
  private final ClassLoader jdkOnly = ClassLoader.getPlatformClassLoader();

  @Test
  void pgjdbcAndHikariAreSeenWhereTheyAreOnTheClassPath() {
    assertThat(OptionalClasses.pgjdbcVisible()).isTrue();
    assertThat(OptionalClasses.visible(OwnedPool.HIKARI_CLASS, getClass().getClassLoader()))
        .isTrue();
  }

  @Test
  void aClassLoaderWithoutThemDoesNotSeeThem() {
    assertThat(OptionalClasses.visible(OptionalClasses.PG_CONNECTION, jdkOnly)).isFalse();
    assertThat(OptionalClasses.visible(OwnedPool.HIKARI_CLASS, jdkOnly)).isFalse();
    assertThat(OptionalClasses.visible("java.sql.Connection", jdkOnly)).isTrue();
  }
}
