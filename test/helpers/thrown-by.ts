/** What `action` throws, for assertions on the error itself; throws when `action` returns. */
export function thrownBy(action: () => unknown): Error {
  try {
    action()
  } catch (error) {
    return error as Error
  }
  throw new Error("nothing was thrown")
}
