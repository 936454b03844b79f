/** Saves a machine's Stately-importable config as `<chart>.json` (no server round trip: a Blob URL). */
import { machineConfigOf } from '../../src/inspect/stately-export.js'
import type { ChartEntry } from '../../src/inspect/messages.js'

export function exportJson(chart: ChartEntry): string {
  return JSON.stringify(machineConfigOf(chart.model), null, 2)
}

export function downloadChart(chart: ChartEntry): void {
  const url = URL.createObjectURL(new Blob([exportJson(chart)], { type: 'application/json' }))
  const link = document.createElement('a')
  link.href = url
  link.download = `${chart.key.replace(/[^\w.-]+/g, '_')}.json`
  document.body.append(link)
  link.click()
  link.remove()
  setTimeout(() => URL.revokeObjectURL(url), 1000)
}
