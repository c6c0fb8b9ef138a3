import { threadAdapter } from "../helpers/thread-adapter.js"
import { runCallbackFaults } from "./callback-faults.js"

runCallbackFaults(threadAdapter)
