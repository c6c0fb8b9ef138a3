import type { InstrumentName, MetricAttributes } from "./instruments.js"

/**
 * Where measurements go. The engine and the adapters record through the current recorder
 * (see `metricsRecorder()`): OpenTelemetry on the main thread, a batch in a worker thread.
 */
export interface MetricsRecorder {
  /** Whether measurements go anywhere (false: skip computing them). */
  readonly enabled: boolean
  /** Adds `value` to a counter or up-down counter. */
  add(name: InstrumentName, value: number, attributes?: MetricAttributes): void
  /** Records one value of a histogram. */
  record(name: InstrumentName, value: number, attributes?: MetricAttributes): void
  /** Sets a gauge. */
  set(name: InstrumentName, value: number, attributes?: MetricAttributes): void
}
