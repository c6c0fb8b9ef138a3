import { rxAdapter } from "../helpers/rx-adapter.js"
import { runPendingChecks } from "./pending-checks.js"

runPendingChecks(rxAdapter)
