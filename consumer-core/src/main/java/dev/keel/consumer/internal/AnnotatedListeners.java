package dev.keel.consumer.internal;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import dev.keel.consumer.Delivery;
import dev.keel.consumer.IdempotencyKey;
import dev.keel.consumer.KeelListener;
import dev.keel.consumer.ListenerDefinition;
import dev.keel.event.Event;
import dev.keel.event.KeelConfigurationException;
import dev.keel.event.contract.EventContract;
import dev.keel.event.contract.EventContracts;
import java.lang.reflect.Constructor;
import java.lang.reflect.Executable;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * Turns {@link KeelListener} methods into {@link ListenerDefinition}s: parameters resolved by type
 * once, at startup, with errors that name the method.
 */
public final class AnnotatedListeners {
  private static final String DSL_CONTEXT = "org.jooq.DSLContext";
  private static final List<String> NOT_PAYLOAD_PACKAGES =
      List.of(
          "java.",
          "javax.",
          "jakarta.",
          "org.jooq.",
          "org.apache.kafka.",
          "com.fasterxml.",
          "dev.keel.event.",
          "dev.keel.outbox.",
          "dev.keel.dlq.");

  private AnnotatedListeners() {}

  /** The supported parameter kinds. */
  enum Param {
    EVENT,
    DELIVERY,
    CONNECTION,
    DSL,
    PAYLOAD
  }

  /**
   * The definitions of every annotated method of a bean (its class and superclasses).
   *
   * @throws KeelConfigurationException naming the method when one is misconfigured
   */
  public static List<ListenerDefinition> of(Object bean, EventContracts contracts) {
    List<ListenerDefinition> out = new ArrayList<>();
    for (Class<?> c = bean.getClass(); c != null && c != Object.class; c = c.getSuperclass()) {
      for (Method m : c.getDeclaredMethods()) {
        KeelListener a = m.getAnnotation(KeelListener.class);
        if (a != null && !m.isBridge() && !m.isSynthetic()) {
          out.add(definition(bean, m, a, contracts));
        }
      }
    }
    if (out.isEmpty()) {
      throw new KeelConfigurationException(
          "ConsumerRuntime.register: "
              + bean.getClass().getName()
              + " has no @KeelListener method");
    }
    return out;
  }

  private static ListenerDefinition definition(
      Object bean, Method m, KeelListener a, EventContracts contracts) {
    String name = describe(m);
    if (a.group().isBlank()) {
      throw fail(name, "group is required");
    }
    if (a.topic().isBlank()) {
      throw fail(name, "topic is required");
    }
    Class<?>[] types = m.getParameterTypes();
    Param[] params = new Param[types.length];
    Class<?> payload = null;
    for (int i = 0; i < types.length; i++) {
      params[i] = kind(types[i]);
      if (params[i] == Param.PAYLOAD) {
        if (!decodable(types[i])) {
          throw fail(
              name,
              "parameter "
                  + (i + 1)
                  + " has an unsupported type "
                  + types[i].getName()
                  + "; supported: Event, Delivery, java.sql.Connection, org.jooq.DSLContext"
                  + " and one payload class (a concrete, non-JDK class such as a record)");
        }
        if (!fromJson(types[i])) {
          throw fail(
              name,
              "parameter "
                  + (i + 1)
                  + " ("
                  + types[i].getName()
                  + ") is not one of Event, Delivery, java.sql.Connection, org.jooq.DSLContext and"
                  + " cannot be a payload: JSON cannot be decoded into it (it is not a record and"
                  + " has no no-argument or @JsonCreator constructor). A repository or service"
                  + " belongs in the listener's object, not in the method's parameters");
        }
        if (payload != null) {
          throw fail(
              name,
              "has two payload parameters, "
                  + payload.getSimpleName()
                  + " and "
                  + types[i].getSimpleName()
                  + "; a listener takes at most one");
        }
        payload = types[i];
      }
    }
    String type = a.type().isEmpty() ? inferType(name, payload, contracts) : a.type();
    if (payload != null && type != null) {
      checkContracts(name, type, payload, contracts);
    }
    IdempotencyKey key;
    try {
      key = IdempotencyKey.parse(a.idempotencyKey());
    } catch (KeelConfigurationException e) {
      throw fail(name, e.getMessage());
    }
    if (Modifier.isStatic(m.getModifiers())) {
      bean = null;
    }
    try {
      m.setAccessible(true);
    } catch (RuntimeException e) {
      throw fail(name, "cannot be made accessible: " + e.getClass().getSimpleName());
    }
    try {
      return ListenerDefinition.builder()
          .name(name)
          .id(a.id())
          .topic(a.topic())
          .group(a.group())
          .eventType(type)
          .payloadType(payload)
          .idempotencyKey(key)
          .ordering(a.ordering())
          .concurrency(a.concurrency())
          .handler(new MethodHandler(bean, m, params))
          .build();
    } catch (KeelConfigurationException e) {
      throw new KeelConfigurationException(e.getMessage());
    }
  }

  private static Param kind(Class<?> t) {
    if (t == Event.class) {
      return Param.EVENT;
    }
    if (t == Delivery.class) {
      return Param.DELIVERY;
    }
    if (t == Connection.class) {
      return Param.CONNECTION;
    }
    // By name: jOOQ is optional, and a class literal would need it on the class path.
    if (t.getName().equals(DSL_CONTEXT)) {
      return Param.DSL;
    }
    return Param.PAYLOAD;
  }

  private static boolean decodable(Class<?> t) {
    if (t.isPrimitive()
        || t.isArray()
        || t.isInterface()
        || t.isEnum()
        || Modifier.isAbstract(t.getModifiers())) {
      return false;
    }
    String n = t.getName();
    return NOT_PAYLOAD_PACKAGES.stream().noneMatch(n::startsWith);
  }

  /**
   * Whether the JSON codec can create the class from JSON without help: Keel's codec has a fixed
   * configuration (no mix-ins, no parameter-names module), so these are Jackson's own creator
   * rules. A class that fails them would fail every record at run time; refusing it at startup also
   * catches a service or repository parameter taken for the payload.
   */
  static boolean fromJson(Class<?> t) {
    if (t.isRecord() || t.isAnnotationPresent(JsonDeserialize.class)) {
      return true;
    }
    if (t.isMemberClass() && !Modifier.isStatic(t.getModifiers())) {
      return false; // an inner class needs its outer instance
    }
    for (Constructor<?> c : t.getDeclaredConstructors()) {
      if (c.getParameterCount() == 0 || creator(c) || allNamed(c) || scalarDelegate(c)) {
        return true;
      }
    }
    for (Method m : t.getDeclaredMethods()) {
      if (Modifier.isStatic(m.getModifiers()) && creator(m)) {
        return true;
      }
    }
    return false;
  }

  private static boolean creator(Executable e) {
    JsonCreator c = e.getAnnotation(JsonCreator.class);
    return c != null && c.mode() != JsonCreator.Mode.DISABLED;
  }

  private static boolean allNamed(Constructor<?> c) {
    return Arrays.stream(c.getParameters())
        .allMatch(p -> p.isAnnotationPresent(JsonProperty.class));
  }

  /** A public one-argument constructor Jackson uses for a scalar JSON value. */
  private static boolean scalarDelegate(Constructor<?> c) {
    return Modifier.isPublic(c.getModifiers())
        && c.getParameterCount() == 1
        && SCALARS.contains(c.getParameterTypes()[0]);
  }

  private static final Set<Class<?>> SCALARS =
      Set.of(
          String.class,
          int.class,
          long.class,
          double.class,
          boolean.class,
          Integer.class,
          Long.class,
          Double.class,
          Boolean.class);

  private static String inferType(String name, Class<?> payload, EventContracts contracts) {
    if (payload == null) {
      return null;
    }
    Set<String> names =
        contracts.all().stream()
            .filter(c -> c.payloadType().filter(payload::equals).isPresent())
            .map(EventContract::name)
            .collect(Collectors.toCollection(TreeSet::new));
    if (names.size() > 1) {
      throw fail(
          name,
          "payload "
              + payload.getSimpleName()
              + " belongs to several event types "
              + names
              + "; name one with type = \"...\"");
    }
    return names.isEmpty() ? null : names.iterator().next();
  }

  private static void checkContracts(
      String name, String type, Class<?> payload, EventContracts contracts) {
    List<Class<?>> declared =
        contracts.all().stream()
            .filter(c -> c.name().equals(type))
            .flatMap(c -> c.payloadType().stream())
            .collect(Collectors.toList());
    if (!declared.isEmpty() && declared.stream().noneMatch(payload::isAssignableFrom)) {
      throw fail(
          name,
          "payload parameter "
              + payload.getName()
              + " is not the payload class of any contract of "
              + type
              + " "
              + declared.stream().map(Class::getSimpleName).toList());
    }
  }

  /** See {@link dev.keel.consumer.ListenerDefinition#nameOf}. */
  public static String describe(Method m) {
    return m.getDeclaringClass().getSimpleName()
        + "."
        + m.getName()
        + "("
        + Arrays.stream(m.getParameterTypes())
            .map(Class::getSimpleName)
            .collect(Collectors.joining(", "))
        + ")";
  }

  private static KeelConfigurationException fail(String method, String problem) {
    return new KeelConfigurationException("@KeelListener " + method + ": " + problem);
  }

  /** Invokes the method with parameters resolved by kind. */
  static final class MethodHandler implements dev.keel.consumer.EventHandler {
    private final Object bean;
    private final Method method;
    private final Param[] params;

    MethodHandler(Object bean, Method method, Param[] params) {
      this.bean = bean;
      this.method = method;
      this.params = params.clone();
    }

    @Override
    public void handle(Delivery d) throws Exception {
      Object[] args = new Object[params.length];
      for (int i = 0; i < params.length; i++) {
        switch (params[i]) {
          case EVENT:
            args[i] = d.event();
            break;
          case DELIVERY:
            args[i] = d;
            break;
          case CONNECTION:
            args[i] = d.connection();
            break;
          case DSL:
            args[i] = dev.keel.event.sql.KeelSql.using(d.connection(), d.dialect());
            break;
          default:
            args[i] = d.payload();
        }
      }
      try {
        method.invoke(bean, args);
      } catch (InvocationTargetException e) {
        Throwable cause = e.getCause();
        if (cause instanceof Exception) {
          throw (Exception) cause;
        }
        if (cause instanceof Error) {
          throw (Error) cause;
        }
        throw e;
      }
    }

    @Override
    public String toString() {
      return describe(method);
    }
  }
}
