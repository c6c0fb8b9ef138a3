import { threadAdapter } from "../helpers/thread-adapter.js"
import { runPyzmqScenarios } from "../helpers/pyzmq-scenarios.js"

runPyzmqScenarios(threadAdapter)
