import { loopAdapter } from "../helpers/loop-adapter.js"
import { describeAdapterMetrics } from "./metrics-scenario.js"

describeAdapterMetrics(loopAdapter)
