import { runDecisionTable } from "../helpers/decision-table.js"
import { threadAdapter } from "../helpers/thread-adapter.js"

runDecisionTable(threadAdapter)
