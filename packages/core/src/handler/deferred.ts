/** A promise with its resolve function, for internal signalling (`Promise.withResolvers` is missing on Node 20). */
export interface Deferred<T> {
  promise: Promise<T>
  resolve: (value: T) => void
}

/** Creates a {@link Deferred}. */
export function deferred<T = void>(): Deferred<T> {
  let resolve!: (value: T) => void
  const promise = new Promise<T>((done) => {
    resolve = done
  })
  return { promise, resolve }
}
