package dev.keel.compat.boot;

import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.AccessTarget;
import com.tngtech.archunit.core.domain.AccessTarget.CodeUnitAccessTarget;
import com.tngtech.archunit.core.domain.AccessTarget.FieldAccessTarget;
import com.tngtech.archunit.core.domain.Dependency;
import com.tngtech.archunit.core.domain.JavaAccess;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * Every class, method, constructor and field of the shared libraries that Keel's main code refers
 * to exists, with the same signature, in Spring Boot's versions on this class path. Keel is
 * compiled against its own (newer) versions; a member those add would only fail at run time, with a
 * {@link NoSuchMethodError}, on the first path that calls it. This reads the references out of
 * Keel's class files, so it covers paths no test runs.
 *
 * <p>keel-test-kafka-server's bridge is left out: it runs next to its own kafka-clients, in the
 * broker's class loader.
 */
class LibraryReferencesTest {
  /** The libraries whose versions Boot's dependency management replaces. */
  private static final List<String> LIBRARIES =
      List.of(
          "org.apache.kafka.",
          "io.micrometer.",
          "com.fasterxml.jackson.",
          "com.zaxxer.hikari.",
          "org.jooq.",
          "org.slf4j.",
          "org.junit.");

  private static final String BRIDGE = "dev.keel.test.internal.kafkaserver";

  @Test
  void everyReferenceOfKeelIntoTheSharedLibrariesResolvesOnBootsVersions() {
    JavaClasses keel =
        new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.keel");
    Set<String> missing = new TreeSet<>();
    int checked = 0;
    Set<String> seen = new HashSet<>();
    Set<String> modules = new TreeSet<>();
    for (JavaClass c : keel) {
      if (c.getPackageName().startsWith(BRIDGE)
          || c.getPackageName().startsWith("dev.keel.compat")) {
        continue;
      }
      modules.add(c.getPackageName().split("\\.")[2]);
      for (Dependency d : c.getDirectDependenciesFromSelf()) {
        String name = d.getTargetClass().getBaseComponentType().getName();
        if (shared(name) && seen.add("class " + name)) {
          checked++;
          if (load(name) == null) {
            missing.add("class " + name + " (used by " + c.getName() + ")");
          }
        }
      }
      for (JavaAccess<?> a : c.getAccessesFromSelf()) {
        AccessTarget t = a.getTarget();
        String owner = t.getOwner().getName();
        if (!shared(owner)) {
          continue;
        }
        String key = describe(t);
        if (!seen.add(key)) {
          continue;
        }
        checked++;
        if (!resolves(t)) {
          missing.add(key + " (used by " + a.getOrigin().getFullName() + ")");
        }
      }
    }
    // the import saw Keel's modules, so the check cannot pass on an empty class path
    assertThat(modules).contains("event", "outbox", "consumer", "dlq", "saga", "test");
    assertThat(checked).isGreaterThan(300);
    assertThat(missing).as("references missing from Boot's versions").isEmpty();
  }

  private static boolean shared(String name) {
    return LIBRARIES.stream().anyMatch(name::startsWith);
  }

  private static String describe(AccessTarget t) {
    if (t instanceof FieldAccessTarget f) {
      return "field "
          + t.getOwner().getName()
          + "."
          + t.getName()
          + ": "
          + f.getRawType().getName();
    }
    CodeUnitAccessTarget m = (CodeUnitAccessTarget) t;
    return "member "
        + t.getOwner().getName()
        + "."
        + t.getName()
        + m.getRawParameterTypes().stream().map(JavaClass::getName).toList()
        + ": "
        + m.getRawReturnType().getName();
  }

  private static boolean resolves(AccessTarget t) {
    Class<?> owner = load(t.getOwner().getName());
    if (owner == null) {
      return false;
    }
    if (t instanceof FieldAccessTarget f) {
      for (Class<?> type : hierarchy(owner)) {
        for (Field field : type.getDeclaredFields()) {
          if (field.getName().equals(t.getName())
              && field.getType().getName().equals(f.getRawType().getName())) {
            return true;
          }
        }
      }
      return false;
    }
    CodeUnitAccessTarget m = (CodeUnitAccessTarget) t;
    List<String> params = m.getRawParameterTypes().stream().map(JavaClass::getName).toList();
    if (t.getName().equals("<init>")) {
      for (Constructor<?> ctor : owner.getDeclaredConstructors()) {
        if (names(ctor.getParameterTypes()).equals(params)) {
          return true;
        }
      }
      return false;
    }
    String returns = m.getRawReturnType().getName();
    for (Class<?> type : hierarchy(owner)) {
      for (Method method : type.getDeclaredMethods()) {
        if (method.getName().equals(t.getName())
            && names(method.getParameterTypes()).equals(params)
            && method.getReturnType().getName().equals(returns)) {
          return true;
        }
      }
    }
    // Object's methods called on an interface type
    return owner.isInterface()
        && Arrays.stream(Object.class.getDeclaredMethods())
            .anyMatch(
                o ->
                    o.getName().equals(t.getName()) && names(o.getParameterTypes()).equals(params));
  }

  private static List<String> names(Class<?>[] types) {
    List<String> n = new ArrayList<>();
    for (Class<?> c : types) {
      n.add(c.getName());
    }
    return n;
  }

  private static List<Class<?>> hierarchy(Class<?> c) {
    List<Class<?>> all = new ArrayList<>();
    Deque<Class<?>> todo = new ArrayDeque<>(List.of(c));
    while (!todo.isEmpty()) {
      Class<?> next = todo.pop();
      if (all.contains(next)) {
        continue;
      }
      all.add(next);
      if (next.getSuperclass() != null) {
        todo.add(next.getSuperclass());
      }
      todo.addAll(List.of(next.getInterfaces()));
    }
    return all;
  }

  private static Class<?> load(String name) {
    try {
      return Class.forName(name, false, LibraryReferencesTest.class.getClassLoader());
    } catch (ClassNotFoundException | LinkageError e) {
      return null;
    }
  }
}
