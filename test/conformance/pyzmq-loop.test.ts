import { loopAdapter } from "../helpers/loop-adapter.js"
import { runPyzmqScenarios } from "../helpers/pyzmq-scenarios.js"

runPyzmqScenarios(loopAdapter)
