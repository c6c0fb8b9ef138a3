import { loopAdapter } from "../helpers/loop-adapter.js"
import { runCustomChecks } from "./custom-checks.js"

runCustomChecks(loopAdapter)
