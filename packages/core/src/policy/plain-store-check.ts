import type { CredentialCheck, CredentialStore } from "./credential-store.js"
import { isPromiseLike } from "./timeout.js"

type PlainAnswer = ReturnType<NonNullable<CredentialStore["checkPlain"]>>

/**
 * Calls `store.checkPlain` with an unpooled copy of the password (never a view into Node's
 * shared pool), wiped once the check has really settled; not when the engine stops waiting,
 * since the store may still be reading it then.
 */
export function checkPlainWithCopy(
  store: CredentialStore,
  domain: string,
  username: string,
  password: Buffer,
  check: CredentialCheck
): PlainAnswer {
  const copy = Buffer.alloc(password.length)
  password.copy(copy)
  let result: PlainAnswer
  try {
    result = store.checkPlain!(domain, username, copy, check)
  } catch (error) {
    copy.fill(0)
    throw error
  }
  if (!isPromiseLike(result)) {
    copy.fill(0)
    return result
  }
  return Promise.resolve(result).finally(() => copy.fill(0))
}
