import { PACKAGE_VERSION } from "../version.js"
import { OpenTelemetryRecorder } from "./open-telemetry-recorder.js"
import type { MetricsRecorder } from "./recorder.js"

let current: MetricsRecorder = new OpenTelemetryRecorder("@zmq-auth/core", PACKAGE_VERSION)

/** The recorder the engine and the adapters of this thread record through. */
export function metricsRecorder(): MetricsRecorder {
  return current
}

/**
 * Replaces this thread's recorder (a worker thread aggregates into a batch for the main thread)
 * and returns the one it replaced.
 */
export function useMetricsRecorder(recorder: MetricsRecorder): MetricsRecorder {
  const previous = current
  current = recorder
  return previous
}
