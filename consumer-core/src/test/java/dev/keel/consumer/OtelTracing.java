package dev.keel.consumer;

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
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.util.List;
import java.util.stream.Collectors;

/**
 * An observation registry wired the way a Spring Boot application with the OpenTelemetry bridge
 * wires it (propagating sender and receiver handlers, W3C trace context), exporting every ended
 * span to memory.
 */
final class OtelTracing implements AutoCloseable {
  final InMemorySpanExporter exporter = InMemorySpanExporter.create();
  final SdkTracerProvider provider =
      SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(exporter)).build();
  final io.opentelemetry.api.trace.Tracer otel = provider.get("keel-test");
  final OtelTracer tracer = new OtelTracer(otel, new OtelCurrentTraceContext(), event -> {});
  final OtelPropagator propagator =
      new OtelPropagator(ContextPropagators.create(W3CTraceContextPropagator.getInstance()), otel);
  final ObservationRegistry registry = ObservationRegistry.create();

  OtelTracing() {
    registry
        .observationConfig()
        .observationHandler(
            new ObservationHandler.FirstMatchingCompositeObservationHandler(
                new PropagatingSenderTracingObservationHandler<>(tracer, propagator),
                new PropagatingReceiverTracingObservationHandler<>(tracer, propagator),
                new DefaultTracingObservationHandler(tracer)));
  }

  /** The ended spans whose name starts with {@code prefix}. */
  List<SpanData> spans(String prefix) {
    return exporter.getFinishedSpanItems().stream()
        .filter(s -> s.getName().startsWith(prefix))
        .collect(Collectors.toList());
  }

  /** The one ended span named {@code name}. */
  SpanData span(String name) {
    List<SpanData> found = spans(name);
    if (found.size() != 1) {
      throw new AssertionError(
          "expected one span named " + name + ", got " + found.size() + ": " + names());
    }
    return found.get(0);
  }

  List<String> names() {
    return exporter.getFinishedSpanItems().stream()
        .map(SpanData::getName)
        .collect(Collectors.toList());
  }

  @Override
  public void close() {
    provider.close();
  }
}
