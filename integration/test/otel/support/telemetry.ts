import {
  AggregationTemporality,
  InMemoryMetricExporter,
  MeterProvider,
  type MetricData,
  PeriodicExportingMetricReader,
} from '@opentelemetry/sdk-metrics';
import {
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
  TracerProvider,
} from '@opentelemetry/sdk-trace';

/** One data point, flattened: its attributes and its value (a number, or a histogram's summary). */
export interface Point {
  attributes: Record<string, unknown>;
  value: unknown;
}

/**
 * An OpenTelemetry SDK set up as an application would, with the SDK's in-memory exporters: metrics are
 * read on demand (`collect()`), spans as soon as they end (`spans()`).
 */
export interface Telemetry {
  meterProvider: MeterProvider;
  tracerProvider: TracerProvider;
  /** Exports the current metrics and returns them by name. */
  collect(): Promise<Map<string, MetricData>>;
  /** The data points of metric `name` in the last `collect()` (none if it was not reported). */
  points(metrics: Map<string, MetricData>, name: string): Point[];
  spans(): ReadableSpan[];
  shutdown(): Promise<void>;
}

export function createTelemetry(): Telemetry {
  const metricExporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
  // An interval long enough never to fire on its own: `collect()` forces each export.
  const reader = new PeriodicExportingMetricReader({
    exporter: metricExporter,
    exportIntervalMillis: 3_600_000,
  });
  const meterProvider = new MeterProvider({ readers: [reader] });
  const spanExporter = new InMemorySpanExporter();
  const tracerProvider = new TracerProvider({
    spanProcessors: [new SimpleSpanProcessor({ exporter: spanExporter })],
  });
  return {
    meterProvider,
    tracerProvider,
    async collect() {
      metricExporter.reset();
      await reader.forceFlush();
      const byName = new Map<string, MetricData>();
      for (const resource of metricExporter.getMetrics()) {
        for (const scope of resource.scopeMetrics) {
          for (const metric of scope.metrics) byName.set(metric.descriptor.name, metric);
        }
      }
      return byName;
    },
    points(metrics, name) {
      const metric = metrics.get(name);
      if (metric === undefined) return [];
      return (metric.dataPoints as { attributes: Record<string, unknown>; value: unknown }[]).map(
        (point) => ({
          attributes: { ...point.attributes },
          value: point.value,
        }),
      );
    },
    spans: () => spanExporter.getFinishedSpans(),
    async shutdown() {
      await meterProvider.shutdown();
      await tracerProvider.shutdown();
    },
  };
}
