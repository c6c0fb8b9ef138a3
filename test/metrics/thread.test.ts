import { threadAdapter } from "../helpers/thread-adapter.js"
import { describeAdapterMetrics } from "./metrics-scenario.js"

describeAdapterMetrics(threadAdapter)
