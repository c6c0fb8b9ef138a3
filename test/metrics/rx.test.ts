import { rxAdapter } from "../helpers/rx-adapter.js"
import { describeAdapterMetrics } from "./metrics-scenario.js"

describeAdapterMetrics(rxAdapter)
