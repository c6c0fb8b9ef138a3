// The entry of @zmq-auth/core/internal: what the sibling packages (@zmq-auth/thread,
// @zmq-auth/rx) build on. Not part of the public API; it may change in any release.
export { ZapEndpoint, readEndpointOptions, DEFAULT_CONCURRENCY } from "./handler/zap-endpoint.js"
export type { ZapEndpointOptions, ZapEndpointListener } from "./handler/zap-endpoint.js"
export type { ZapExchange } from "./handler/zap-exchange.js"
export { releaseInProgress } from "./handler/endpoint-slots.js"
export { servingOnAnotherThread, NO_ZAP_HANDLER_WARNING, ZAP_HANDLER_STOPPED_WARNING } from "./handler/zap-coverage.js"
export { metricsRecorder, useMetricsRecorder } from "./metrics/current-recorder.js"
export { BatchRecorder, replayMetricsBatch, isMetricsBatch } from "./metrics/metrics-batch.js"
export type { MetricsBatch } from "./metrics/metrics-batch.js"
export type { MetricsRecorder } from "./metrics/recorder.js"
export { REDACTED } from "./policy/redact.js"
export { unpooledCopy, unpooledUtf8 } from "./unpooled.js"
