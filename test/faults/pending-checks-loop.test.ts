import { loopAdapter } from "../helpers/loop-adapter.js"
import { runPendingChecks } from "./pending-checks.js"

runPendingChecks(loopAdapter, { abortsOnStop: false })
