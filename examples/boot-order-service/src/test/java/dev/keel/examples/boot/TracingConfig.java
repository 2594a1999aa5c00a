package dev.keel.examples.boot;

import io.micrometer.observation.ObservationHandler;
import io.micrometer.observation.ObservationRegistry;
import io.micrometer.tracing.handler.DefaultTracingObservationHandler;
import io.micrometer.tracing.handler.PropagatingReceiverTracingObservationHandler;
import io.micrometer.tracing.handler.PropagatingSenderTracingObservationHandler;
import io.micrometer.tracing.otel.bridge.OtelCurrentTraceContext;
import io.micrometer.tracing.otel.bridge.OtelPropagator;
import io.micrometer.tracing.otel.bridge.OtelTracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.web.filter.ServerHttpObservationFilter;

/**
 * What Spring Boot's Actuator with Micrometer Tracing and the OpenTelemetry bridge would configure:
 * an {@link ObservationRegistry} with the tracing handlers (W3C trace context), the HTTP server
 * observation filter, and here an exporter that keeps every ended span in memory.
 */
@TestConfiguration(proxyBeanMethods = false)
class TracingConfig {

  @Bean
  InMemorySpanExporter spanExporter() {
    return InMemorySpanExporter.create();
  }

  @Bean(destroyMethod = "close")
  SdkTracerProvider tracerProvider(InMemorySpanExporter exporter) {
    return SdkTracerProvider.builder()
        .addSpanProcessor(SimpleSpanProcessor.create(exporter))
        .build();
  }

  @Bean
  ObservationRegistry observationRegistry(SdkTracerProvider provider) {
    io.opentelemetry.api.trace.Tracer otel = provider.get("boot-order-service-test");
    OtelTracer tracer = new OtelTracer(otel, new OtelCurrentTraceContext(), event -> {});
    OtelPropagator propagator =
        new OtelPropagator(
            ContextPropagators.create(W3CTraceContextPropagator.getInstance()), otel);
    ObservationRegistry registry = ObservationRegistry.create();
    registry
        .observationConfig()
        .observationHandler(
            new ObservationHandler.FirstMatchingCompositeObservationHandler(
                new PropagatingSenderTracingObservationHandler<>(tracer, propagator),
                new PropagatingReceiverTracingObservationHandler<>(tracer, propagator),
                new DefaultTracingObservationHandler(tracer)));
    return registry;
  }

  /** The HTTP request's observation (Actuator registers this filter when it is present). */
  @Bean
  ServerHttpObservationFilter serverHttpObservationFilter(ObservationRegistry registry) {
    return new ServerHttpObservationFilter(registry);
  }
}
