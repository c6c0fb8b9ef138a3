import { rxAdapter } from "../helpers/rx-adapter.js"
import { runCustomChecks } from "./custom-checks.js"

runCustomChecks(rxAdapter)
