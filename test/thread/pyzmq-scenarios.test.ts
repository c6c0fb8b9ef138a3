import { runPyzmqScenarios } from "../helpers/pyzmq-scenarios.js"
import { threadAdapter } from "../helpers/thread-adapter.js"

runPyzmqScenarios(threadAdapter)
