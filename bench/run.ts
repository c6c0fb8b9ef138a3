import { benchmarkHandshakeOverhead } from "./handshake-overhead.js"
import { renderMarkdown } from "./report/table.js"
import { benchSettings } from "./settings.js"

const settings = benchSettings()
const report = await benchmarkHandshakeOverhead(settings)
console.log(renderMarkdown([report]))
