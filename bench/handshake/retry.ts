/**
 * Calls `start` until it stops failing, for at most one second: the ZAP endpoint of the
 * previous variant may take a moment to be released by libzmq.
 */
export async function retryWhileBound<T>(start: () => Promise<T>): Promise<T> {
  const deadline = performance.now() + 1000
  for (;;) {
    try {
      return await start()
    } catch (error) {
      if (performance.now() > deadline) throw error
      await new Promise((resolve) => setTimeout(resolve, 10))
    }
  }
}
