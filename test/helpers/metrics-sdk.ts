import { metrics } from "@opentelemetry/api"
import {
  AggregationTemporality,
  MeterProvider,
  MetricReader,
  type DataPoint,
  type Histogram,
} from "@opentelemetry/sdk-metrics"

/** A reader that exports only when a test asks (`collect()`). */
class OnDemandReader extends MetricReader {
  constructor() {
    super({ aggregationTemporalitySelector: () => AggregationTemporality.CUMULATIVE })
  }
  protected override async onForceFlush(): Promise<void> {}
  protected override async onShutdown(): Promise<void> {}
}

/** One exported data point: its attributes and value (a histogram's count, sum and buckets). */
export interface Point {
  attributes: Record<string, unknown>
  value: number | { count: number; sum: number | undefined; counts: number[]; boundaries: number[] }
}

/**
 * The real OpenTelemetry metrics SDK registered as the global meter provider, read on demand.
 * `close()` unregisters it.
 */
export class TestMetricsSdk {
  readonly #reader = new OnDemandReader()
  readonly #provider = new MeterProvider({ readers: [this.#reader] })

  constructor() {
    metrics.disable()
    if (!metrics.setGlobalMeterProvider(this.#provider))
      throw new Error("a global meter provider is already registered")
  }

  /** Every data point exported for instrument `name`, with the meter (scope) that recorded it. */
  async points(name: string): Promise<Array<Point & { scope: string; unit: string }>> {
    const { resourceMetrics, errors } = await this.#reader.collect()
    if (errors.length > 0) throw new AggregateError(errors, "metrics collection failed")
    const found: Array<Point & { scope: string; unit: string }> = []
    for (const scope of resourceMetrics.scopeMetrics) {
      for (const metric of scope.metrics) {
        if (metric.descriptor.name !== name) continue
        for (const point of metric.dataPoints as Array<DataPoint<number | Histogram>>) {
          const value = point.value
          found.push({
            scope: `${scope.scope.name}@${scope.scope.version ?? ""}`,
            unit: metric.descriptor.unit,
            attributes: { ...point.attributes },
            value:
              typeof value === "number"
                ? value
                : {
                    count: value.count,
                    sum: value.sum,
                    counts: value.buckets.counts,
                    boundaries: value.buckets.boundaries,
                  },
          })
        }
      }
    }
    return found
  }

  /** The value of the one data point of `name` with exactly these attributes (0 when none). */
  async sum(name: string, attributes: Record<string, unknown>): Promise<number> {
    const key = JSON.stringify(Object.entries(attributes).sort())
    let total = 0
    for (const point of await this.points(name)) {
      if (JSON.stringify(Object.entries(point.attributes).sort()) !== key) continue
      total += typeof point.value === "number" ? point.value : point.value.count
    }
    return total
  }

  async close(): Promise<void> {
    metrics.disable()
    await this.#provider.shutdown()
  }
}
