import { rxAdapter } from "../helpers/rx-adapter.js"
import { runPyzmqScenarios } from "../helpers/pyzmq-scenarios.js"

runPyzmqScenarios(rxAdapter)
