/**
 * Maps `items` through `task` with at most `limit` tasks running at once, resolving with the
 * results in the order of `items`. `task` should not reject: a rejection rejects the whole
 * call while the tasks already started keep running.
 */
export async function mapLimited<T, R>(
  items: readonly T[],
  limit: number,
  task: (item: T) => Promise<R>
): Promise<R[]> {
  const results = new Array<R>(items.length)
  let next = 0
  const worker = async (): Promise<void> => {
    for (let index = next++; index < items.length; index = next++) results[index] = await task(items[index]!)
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker))
  return results
}
