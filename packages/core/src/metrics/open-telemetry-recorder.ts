import { metrics, type Counter, type Gauge, type Histogram, type MeterProvider, type UpDownCounter } from "@opentelemetry/api"
import { INSTRUMENTS, type InstrumentName, type MetricAttributes } from "./instruments.js"
import type { MetricsRecorder } from "./recorder.js"

type Instrument = Counter | UpDownCounter | Histogram | Gauge

/**
 * Records through `@opentelemetry/api`'s global meter provider, with a meter named after the
 * package. OpenTelemetry has no proxy for metrics: the provider is looked up at every measurement
 * and the instruments are created again when it changed, so an SDK registered after this module
 * was imported counts from then on. With no SDK the provider is the API's no-op one.
 */
export class OpenTelemetryRecorder implements MetricsRecorder {
  readonly #meterName: string
  readonly #meterVersion: string
  #provider: MeterProvider | undefined
  #instruments = new Map<InstrumentName, Instrument>()

  /** @param meterName the instrumenting package's name; @param meterVersion its version */
  constructor(meterName: string, meterVersion: string) {
    this.#meterName = meterName
    this.#meterVersion = meterVersion
  }

  add(name: InstrumentName, value: number, attributes?: MetricAttributes): void {
    ;(this.#instrument(name) as Counter).add(value, attributes)
  }

  record(name: InstrumentName, value: number, attributes?: MetricAttributes): void {
    ;(this.#instrument(name) as Histogram).record(value, attributes)
  }

  set(name: InstrumentName, value: number, attributes?: MetricAttributes): void {
    ;(this.#instrument(name) as Gauge).record(value, attributes)
  }

  #instrument(name: InstrumentName): Instrument {
    const provider = metrics.getMeterProvider()
    if (provider !== this.#provider) {
      this.#provider = provider
      this.#instruments = new Map()
    }
    let instrument = this.#instruments.get(name)
    if (instrument === undefined) {
      instrument = createInstrument(provider, this.#meterName, this.#meterVersion, name)
      this.#instruments.set(name, instrument)
    }
    return instrument
  }
}

function createInstrument(provider: MeterProvider, meterName: string, meterVersion: string, name: InstrumentName): Instrument {
  const meter = provider.getMeter(meterName, meterVersion)
  const definition = INSTRUMENTS[name]
  const options = { unit: definition.unit, description: definition.description }
  switch (definition.kind) {
    case "counter":
      return meter.createCounter(name, options)
    case "upDownCounter":
      return meter.createUpDownCounter(name, options)
    case "gauge":
      return meter.createGauge(name, options)
    case "histogram":
      return meter.createHistogram(name, {
        ...options,
        advice: { explicitBucketBoundaries: [...("buckets" in definition ? definition.buckets : [])] },
      })
  }
}
