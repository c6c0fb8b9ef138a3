import {
  createNoopMeter,
  metrics,
  type Counter,
  type Gauge,
  type Histogram,
  type MeterProvider,
  type UpDownCounter,
} from "@opentelemetry/api"
import { INSTRUMENTS, type InstrumentName, type MetricAttributes } from "./instruments.js"
import type { MetricsRecorder } from "./recorder.js"

type Instrument = Counter | UpDownCounter | Histogram | Gauge

/** The class of the API's no-op meter: a provider that hands one out has no SDK behind it. */
const NoopMeter = createNoopMeter().constructor as new () => unknown

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
  #enabled = false
  #instruments = new Map<InstrumentName, Instrument>()

  /** @param meterName the instrumenting package's name; @param meterVersion its version */
  constructor(meterName: string, meterVersion: string) {
    this.#meterName = meterName
    this.#meterVersion = meterVersion
  }

  /** Whether an SDK is registered: without one, measurements are not even computed. */
  get enabled(): boolean {
    const provider = metrics.getMeterProvider()
    if (provider !== this.#provider) {
      this.#provider = provider
      this.#instruments = new Map()
      this.#enabled = !(provider.getMeter(this.#meterName, this.#meterVersion) instanceof NoopMeter)
    }
    return this.#enabled
  }

  add(name: InstrumentName, value: number, attributes?: MetricAttributes): void {
    if (this.enabled) (this.#instrument(name) as Counter).add(value, attributes)
  }

  record(name: InstrumentName, value: number, attributes?: MetricAttributes): void {
    if (this.enabled) (this.#instrument(name) as Histogram).record(value, attributes)
  }

  set(name: InstrumentName, value: number, attributes?: MetricAttributes): void {
    if (this.enabled) (this.#instrument(name) as Gauge).record(value, attributes)
  }

  /** The instrument `name` of the current provider (`enabled` has just checked which one that is). */
  #instrument(name: InstrumentName): Instrument {
    const provider = this.#provider!
    let instrument = this.#instruments.get(name)
    if (instrument === undefined) {
      instrument = createInstrument(provider, this.#meterName, this.#meterVersion, name)
      this.#instruments.set(name, instrument)
    }
    return instrument
  }
}

function createInstrument(
  provider: MeterProvider,
  meterName: string,
  meterVersion: string,
  name: InstrumentName
): Instrument {
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
