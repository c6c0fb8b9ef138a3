import { runDecisionTable } from "../helpers/decision-table.js"
import { loopAdapter } from "../helpers/loop-adapter.js"

runDecisionTable(loopAdapter)
