package dev.keel.spring.boot.autoconfigure.listener;

import dev.keel.consumer.KeelListener;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.aop.support.AopUtils;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.util.ReflectionUtils;

/**
 * Finds the beans with {@link KeelListener} methods as the context creates them (bean
 * post-processing), for {@link KeelListenerContainer} to run. A bean proxied by Spring (a
 * {@code @Transactional} class...) is kept as the proxy, so its advice applies to every call.
 */
public final class KeelListenerBeans implements BeanPostProcessor {
  private final Map<String, Object> beans = new LinkedHashMap<>();

  /** Creates the post-processor; the auto-configuration does. */
  public KeelListenerBeans() {}

  @Override
  public Object postProcessAfterInitialization(Object bean, String beanName) {
    Class<?> type = AopUtils.getTargetClass(bean);
    boolean[] found = {false};
    ReflectionUtils.doWithMethods(
        type,
        m -> found[0] = true,
        m -> AnnotatedElementUtils.hasAnnotation(m, KeelListener.class));
    if (found[0]) {
      synchronized (beans) {
        beans.put(beanName, bean);
      }
    }
    return bean;
  }

  /** The beans found so far, by bean name, in creation order. */
  public Map<String, Object> beans() {
    synchronized (beans) {
      return Collections.unmodifiableMap(new LinkedHashMap<>(beans));
    }
  }

  /** The names of the beans found so far. */
  public List<String> beanNames() {
    synchronized (beans) {
      return new ArrayList<>(beans.keySet());
    }
  }
}
