import { INSTRUMENTS, type InstrumentName, type MetricAttributes } from "./instruments.js"
import type { MetricsRecorder } from "./recorder.js"

/**
 * Measurements aggregated where no SDK runs (a worker thread), to be replayed into the
 * instruments of the thread that has one: counter sums, every histogram value, the last value of
 * each gauge. Plain data: it crosses `postMessage` as is.
 */
export interface MetricsBatch {
  sums: Array<[InstrumentName, MetricAttributes, number]>
  values: Array<[InstrumentName, MetricAttributes, number[]]>
  gauges: Array<[InstrumentName, MetricAttributes, number]>
}

interface Series<T> {
  name: InstrumentName
  attributes: MetricAttributes
  value: T
}

/**
 * A {@link MetricsRecorder} that aggregates in memory until {@link BatchRecorder.drain}, while
 * `wanted()` says the thread that replays the batches records them (by default always).
 */
export class BatchRecorder implements MetricsRecorder {
  readonly #wanted: () => boolean
  #sums = new Map<string, Series<number>>()
  #values = new Map<string, Series<number[]>>()
  #gauges = new Map<string, Series<number>>()

  /**
   * @param wanted read at every measurement: whether the replaying thread has a metrics SDK (a
   * worker reads a flag its main thread keeps current). While it is false nothing is computed.
   */
  constructor(wanted: () => boolean = () => true) {
    this.#wanted = wanted
  }

  /** Whether measurements are wanted now (see the constructor). */
  get enabled(): boolean {
    return this.#wanted()
  }

  add(name: InstrumentName, value: number, attributes: MetricAttributes = {}): void {
    if (!this.enabled) return
    const key = seriesKey(name, attributes)
    const series = this.#sums.get(key)
    if (series === undefined) this.#sums.set(key, { name, attributes, value })
    else series.value += value
  }

  record(name: InstrumentName, value: number, attributes: MetricAttributes = {}): void {
    if (!this.enabled) return
    const key = seriesKey(name, attributes)
    const series = this.#values.get(key)
    if (series === undefined) this.#values.set(key, { name, attributes, value: [value] })
    else series.value.push(value)
  }

  set(name: InstrumentName, value: number, attributes: MetricAttributes = {}): void {
    if (!this.enabled) return
    this.#gauges.set(seriesKey(name, attributes), { name, attributes, value })
  }

  /** Whether nothing was recorded since the last drain. */
  get empty(): boolean {
    return this.#sums.size === 0 && this.#values.size === 0 && this.#gauges.size === 0
  }

  /** What was recorded since the last drain, and starts over. */
  drain(): MetricsBatch {
    const batch: MetricsBatch = {
      sums: [...this.#sums.values()].map((series) => [series.name, series.attributes, series.value]),
      values: [...this.#values.values()].map((series) => [series.name, series.attributes, series.value]),
      gauges: [...this.#gauges.values()].map((series) => [series.name, series.attributes, series.value]),
    }
    this.#sums = new Map()
    this.#values = new Map()
    this.#gauges = new Map()
    return batch
  }
}

function seriesKey(name: string, attributes: MetricAttributes): string {
  return `${name}\u0000${JSON.stringify(attributes)}`
}

/** Records a drained batch into `recorder` (the main thread's OpenTelemetry instruments). */
export function replayMetricsBatch(batch: MetricsBatch, recorder: MetricsRecorder): void {
  for (const [name, attributes, value] of batch.sums) recorder.add(name, value, attributes)
  for (const [name, attributes, values] of batch.values)
    for (const value of values) recorder.record(name, value, attributes)
  for (const [name, attributes, value] of batch.gauges) recorder.set(name, value, attributes)
}

/** Whether `value` is a well-formed {@link MetricsBatch} (it came from another thread). */
export function isMetricsBatch(value: unknown): value is MetricsBatch {
  if (value === null || typeof value !== "object") return false
  const { sums, values, gauges } = value as Partial<Record<keyof MetricsBatch, unknown>>
  return (
    isSeriesList(sums, isFiniteNumber) && isSeriesList(values, isNumberList) && isSeriesList(gauges, isFiniteNumber)
  )
}

function isSeriesList(list: unknown, isValue: (value: unknown) => boolean): boolean {
  return (
    Array.isArray(list) &&
    list.every(
      (entry) =>
        Array.isArray(entry) &&
        entry.length === 3 &&
        Object.hasOwn(INSTRUMENTS, entry[0]) &&
        isAttributes(entry[1]) &&
        isValue(entry[2])
    )
  )
}

function isAttributes(value: unknown): boolean {
  return (
    value !== null &&
    typeof value === "object" &&
    !Array.isArray(value) &&
    Object.values(value).every((item) => typeof item === "string" || isFiniteNumber(item))
  )
}

function isFiniteNumber(value: unknown): boolean {
  return typeof value === "number" && Number.isFinite(value)
}

function isNumberList(value: unknown): boolean {
  return Array.isArray(value) && value.every(isFiniteNumber)
}
