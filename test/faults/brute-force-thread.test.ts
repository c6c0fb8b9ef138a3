import { threadAdapter } from "../helpers/thread-adapter.js"
import { runBruteForceGuard } from "./brute-force.js"

runBruteForceGuard(threadAdapter)
