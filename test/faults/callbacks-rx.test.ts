import { rxAdapter } from "../helpers/rx-adapter.js"
import { runCallbackFaults } from "./callback-faults.js"

runCallbackFaults(rxAdapter)
