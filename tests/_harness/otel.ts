/**
 * The OpenTelemetry SDK the observability test records with, pinned in one place (test-only:
 * the library imports none of it).
 * @module
 */
export {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from "npm:@opentelemetry/sdk-trace-base@2.0.1";
export { MeterProvider, MetricReader } from "npm:@opentelemetry/sdk-metrics@2.0.1";
