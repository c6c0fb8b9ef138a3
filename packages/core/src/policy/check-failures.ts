import type { FailureCause } from "../metrics/decision-metrics.js"

/** Which kind of check failed: what `zmq_auth.check.timeouts` counts by. */
export type CheckKind = "callback" | "user_id" | "store"

interface CheckFailure {
  cause: FailureCause
  check: CheckKind
}

const failures = new WeakMap<Error, CheckFailure>()

/** Records why `error` failed a check, for the metrics; returns `error`. */
export function markCheckFailure<E extends Error>(error: E, cause: FailureCause, what: string): E {
  failures.set(error, { cause, check: checkKind(what) })
  return error
}

/** Why `error` failed a check, when it was marked by {@link markCheckFailure}. */
export function checkFailureOf(error: Error | undefined): CheckFailure | undefined {
  return error === undefined ? undefined : failures.get(error)
}

/** The kind of check a description (`"credential store (checkPlain) of ..."`, `"curveUserId"`) names. */
function checkKind(what: string): CheckKind {
  if (what.startsWith("credential store")) return "store"
  if (what === "curveUserId") return "user_id"
  return "callback"
}
