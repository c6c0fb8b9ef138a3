import { loopAdapter } from "../helpers/loop-adapter.js"
import { runBruteForceGuard } from "./brute-force.js"

runBruteForceGuard(loopAdapter)
