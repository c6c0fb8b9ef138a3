import { rxAdapter } from "../helpers/rx-adapter.js"
import { runBruteForceGuard } from "./brute-force.js"

runBruteForceGuard(rxAdapter)
