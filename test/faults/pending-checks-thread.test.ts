import { threadAdapter } from "../helpers/thread-adapter.js"
import { runPendingChecks } from "./pending-checks.js"

runPendingChecks(threadAdapter)
