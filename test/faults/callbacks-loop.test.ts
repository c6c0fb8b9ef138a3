import { loopAdapter } from "../helpers/loop-adapter.js"
import { runCallbackFaults } from "./callback-faults.js"

runCallbackFaults(loopAdapter)
