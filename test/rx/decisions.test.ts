import { runDecisionTable } from "../helpers/decision-table.js"
import { rxAdapter } from "../helpers/rx-adapter.js"

runDecisionTable(rxAdapter)
