import { threadAdapter } from "../helpers/thread-adapter.js"
import { runCustomChecks } from "./custom-checks.js"

runCustomChecks(threadAdapter)
