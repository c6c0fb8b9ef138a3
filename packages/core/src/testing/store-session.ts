import { AssertionError } from "node:assert"
import { STORE_EVENTS } from "../policy/store-events.js"
import { randomBytes } from "node:crypto"
import type { CredentialCheck, CredentialStore } from "../policy/credential-store.js"
import type { CredentialAdministration } from "../policy/credential-store-admin.js"
import { z85 } from "../zap/z85.js"
import type { CredentialStoreFactory, CredentialStoreSubject } from "./conformance-types.js"
import { settleWithin } from "./settle-within.js"
import { verdictOutcome, type VerdictOutcome } from "./verdict-outcome.js"

type Emitting = CredentialStore & { emit(event: string | symbol, ...args: unknown[]): boolean }

/** A fresh CURVE public key in Z85. */
export function freshKey(): string {
  return z85.encode(randomBytes(32))
}

/**
 * One test's store: checks with a deadline that fail the test on a throw, a malformed verdict
 * or a check that does not settle, and a record of everything the store emitted.
 */
export class StoreSession {
  readonly store: CredentialStore
  readonly admin: CredentialAdministration
  /** The arguments of every `emit` of the store (when it has one) during the test. */
  readonly emitted: unknown[][] = []
  readonly settleWithinMs: number
  readonly #subject: CredentialStoreSubject
  readonly #restoreEmit: () => void
  readonly #waiters = new Set<(args: unknown[]) => void>()

  private constructor(subject: CredentialStoreSubject, settleWithinMs: number) {
    this.#subject = subject
    this.store = subject.store
    this.admin = subject.admin ?? (subject.store as unknown as CredentialAdministration)
    this.settleWithinMs = settleWithinMs
    this.#restoreEmit = this.#recordEmits()
  }

  /** Makes the factory's subject, runs `body` with it and disposes of it, also when `body` fails. */
  static async run(
    factory: CredentialStoreFactory,
    settleWithinMs: number,
    body: (session: StoreSession) => Promise<void>
  ): Promise<void> {
    const subject = await factory()
    if (
      subject === null ||
      typeof subject !== "object" ||
      subject.store === null ||
      typeof subject.store !== "object"
    ) {
      throw new AssertionError({ message: "the factory must return { store, admin?, makeUnavailable?, dispose? }" })
    }
    const session = new StoreSession(subject, settleWithinMs)
    try {
      await body(session)
    } finally {
      session.#restoreEmit()
      if (subject.dispose !== undefined) await subject.dispose()
      else await subject.store.close?.()
    }
  }

  /** Whether the subject can be cut off from its backend. */
  get canBeMadeUnavailable(): boolean {
    return typeof this.#subject.makeUnavailable === "function"
  }

  /** Cuts the store off from its backend. */
  async makeUnavailable(): Promise<void> {
    await this.#subject.makeUnavailable?.()
  }

  /** `checkCurveKey` with a live signal, as the engine calls it (or without a check when `check` is null). */
  curve(domain: string, publicKey: string, check: CredentialCheck | null = liveCheck()): Promise<VerdictOutcome> {
    const store = this.store
    if (store.checkCurveKey === undefined) throw new AssertionError({ message: "the store has no checkCurveKey" })
    return this.#decide("checkCurveKey", () =>
      check === null ? store.checkCurveKey!(domain, publicKey) : store.checkCurveKey!(domain, publicKey, check)
    )
  }

  /** `checkPlain` with a live signal, as the engine calls it (or without a check when `check` is null). */
  plain(
    domain: string,
    username: string,
    password: Buffer,
    check: CredentialCheck | null = liveCheck()
  ): Promise<VerdictOutcome> {
    const store = this.store
    if (store.checkPlain === undefined) throw new AssertionError({ message: "the store has no checkPlain" })
    return this.#decide("checkPlain", () =>
      check === null
        ? store.checkPlain!(domain, username, password)
        : store.checkPlain!(domain, username, password, check)
    )
  }

  /**
   * The payload of the first `event` the store emitted during the test that `matches`, waiting
   * up to twice the settle deadline for it; fails the test when none comes.
   */
  nextEvent(event: string, matches: (payload: unknown) => boolean): Promise<unknown> {
    const isMatch = (args: unknown[]): boolean => args[0] === event && matches(args[1])
    const earlier = this.emitted.find(isMatch)
    if (earlier !== undefined) return Promise.resolve(earlier[1])
    return new Promise((resolve, reject) => {
      const deadlineMs = 2 * this.settleWithinMs
      const timer = setTimeout(() => {
        this.#waiters.delete(waiter)
        reject(new AssertionError({ message: `no matching ${event} event within ${deadlineMs} ms` }))
      }, deadlineMs)
      const waiter = (args: unknown[]): void => {
        if (!isMatch(args)) return
        clearTimeout(timer)
        this.#waiters.delete(waiter)
        resolve(args[1])
      }
      this.#waiters.add(waiter)
    })
  }

  async #decide(
    what: string,
    call: () => ReturnType<NonNullable<CredentialStore["checkCurveKey"]>>
  ): Promise<VerdictOutcome> {
    const settlement = await settleWithin(call, this.settleWithinMs)
    if (!settlement.settled)
      throw new AssertionError({ message: `${what} did not settle within ${this.settleWithinMs} ms` })
    if ("error" in settlement) throw new AssertionError({ message: `${what} threw: ${String(settlement.error)}` })
    return verdictOutcome(settlement.value, what)
  }

  #recordEmits(): () => void {
    const store = this.store as Emitting
    if (typeof store.emit !== "function") return () => undefined
    const emit = store.emit
    const ownProperty = Object.hasOwn(store, "emit")
    const emitted = this.emitted
    const waiters = this.#waiters
    store.emit = function (this: Emitting, ...args: [string | symbol, ...unknown[]]): boolean {
      emitted.push(args)
      for (const waiter of waiters) waiter(args)
      return emit.apply(this, args)
    }
    // An application listens to the events it wants; a store may do work only for listeners
    // (the Redis store reads a changed record again to tell a revocation from an addition).
    const listening = store as Emitting &
      Partial<Record<"on" | "off", (event: string, listener: () => void) => unknown>>
    const listener = (): void => undefined
    for (const event of STORE_EVENTS) listening.on?.(event, listener)
    return () => {
      for (const event of STORE_EVENTS) listening.off?.(event, listener)
      if (ownProperty) store.emit = emit
      else delete (store as Partial<Emitting>).emit
    }
  }
}

function liveCheck(): CredentialCheck {
  return { signal: new AbortController().signal }
}
