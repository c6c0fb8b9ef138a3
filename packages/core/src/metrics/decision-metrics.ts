import type { MetricAttributes } from "./instruments.js"
import type { MetricsRecorder } from "./recorder.js"

const MECHANISMS = new Set(["NULL", "PLAIN", "CURVE", "GSSAPI"])

/** Distinct ZAP domains kept as attribute values; later ones are counted as `"_other"`. */
export const MAX_DOMAIN_VALUES = 64

const seenDomains = new Set<string>()

/**
 * The `domain` attribute of a request. ZAP domains are set by server sockets, never sent by a
 * client; the count is still capped so a misconfigured application cannot grow the series
 * without bound.
 */
export function domainAttribute(domain: string): string {
  if (seenDomains.has(domain)) return domain
  if (seenDomains.size >= MAX_DOMAIN_VALUES) return "_other"
  seenDomains.add(domain)
  return domain
}

/** Why a decision was a 300 or 500, as the `cause` attribute of `zmq_auth.failures`. */
export type FailureCause = "timeout" | "stopped" | "error" | "malformed" | "saturated" | "unavailable"

/** One decided request, as the metrics see it. */
export interface DecisionMeasurement {
  mechanism: string
  statusCode: number
  domain: string
  seconds: number
  /** For 300 and 500: why. */
  cause?: FailureCause
  /** The check that timed out, when `cause` is "timeout". */
  timedOut?: "callback" | "user_id" | "store"
  /** What the brute-force guard blocked, when it denied the request. */
  blocked?: "address" | "address+user"
}

/** Records one decision into its instruments. */
export function recordDecision(recorder: MetricsRecorder, measurement: DecisionMeasurement): void {
  const attributes: MetricAttributes = {
    mechanism: MECHANISMS.has(measurement.mechanism) ? measurement.mechanism : "other",
    status_code: measurement.statusCode,
    domain: domainAttribute(measurement.domain),
  }
  recorder.add("zmq_auth.decisions", 1, attributes)
  recorder.record("zmq_auth.decision.duration", measurement.seconds, attributes)
  if (measurement.statusCode === 300 || measurement.statusCode === 500) {
    recorder.add("zmq_auth.failures", 1, { status_code: measurement.statusCode, cause: measurement.cause ?? "error" })
  }
  if (measurement.timedOut !== undefined) recorder.add("zmq_auth.check.timeouts", 1, { check: measurement.timedOut })
  if (measurement.blocked !== undefined) recorder.add("zmq_auth.guard.blocks", 1, { blocked: measurement.blocked })
}

/** Records a load or reload of a certificate directory and the keys it left in force. */
export function recordCertificateLoad(
  recorder: MetricsRecorder,
  domain: string,
  outcome: "ok" | "failed",
  keysInForce: number
): void {
  const attribute = domainAttribute(domain)
  recorder.add("zmq_auth.certificates.reloads", 1, { domain: attribute, outcome })
  recorder.set("zmq_auth.certificates.keys", keysInForce, { domain: attribute })
}
