import { benchmarkSlowCredentialStore } from "./slow-credential-store.js"
import { renderMarkdown } from "./report/table.js"
import { benchSettings } from "./settings.js"

const settings = benchSettings()
const reports = [await benchmarkSlowCredentialStore(settings, true)]
console.log(renderMarkdown(reports))
