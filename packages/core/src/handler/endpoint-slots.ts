import type { Context } from "zeromq"
import type { BoundSocket } from "./bound-socket.js"

/** An endpoint waiting for the one releasing its address to hand the still-bound socket over. */
export interface Successor {
  /** Takes over `bound`, still bound at the address, and serves it from now on. */
  adopt(bound: BoundSocket): void
}

/** Who holds one address of one context in this process. */
interface Slot {
  /** The endpoint serving the address, or waiting to take it over; at most one. */
  holder: object | undefined
  /** Settles once every endpoint that let go of the address has unbound it or handed it over. */
  releasing: Promise<void> | undefined
  /** The holder, while it waits for the releasing endpoint's socket. */
  successor: Successor | undefined
}

const slots = new Map<Context, Map<string, Slot>>()

function slotOf(context: Context, address: string): Slot {
  let addresses = slots.get(context)
  if (addresses === undefined) {
    addresses = new Map()
    slots.set(context, addresses)
  }
  let slot = addresses.get(address)
  if (slot === undefined) {
    slot = { holder: undefined, releasing: undefined, successor: undefined }
    addresses.set(address, slot)
  }
  return slot
}

function forgetIfIdle(context: Context, address: string, slot: Slot): void {
  if (slot.holder !== undefined || slot.releasing !== undefined) return
  const addresses = slots.get(context)
  addresses?.delete(address)
  if (addresses?.size === 0) slots.delete(context)
}

/** The endpoint holding `address` in `context`, if one does in this process. */
export function holderOf(context: Context, address: string): object | undefined {
  return slots.get(context)?.get(address)?.holder
}

/** Makes `holder` the one endpoint of `address` in `context`; false when another holds it. */
export function claim(context: Context, address: string, holder: object): boolean {
  const slot = slotOf(context, address)
  if (slot.holder !== undefined && slot.holder !== holder) return false
  slot.holder = holder
  return true
}

/** Ends the claim of `holder` (and its wait for a handover), if it still has one. */
export function unclaim(context: Context, address: string, holder: object): void {
  const slot = slots.get(context)?.get(address)
  if (slot === undefined || slot.holder !== holder) return
  slot.holder = undefined
  slot.successor = undefined
  forgetIfIdle(context, address, slot)
}

/** The releases of `address` in `context` still in progress, as one promise that never rejects. */
export function releaseInProgress(context: Context, address: string): Promise<void> | undefined {
  return slots.get(context)?.get(address)?.releasing
}

/** Records that an endpoint is releasing `address` in `context`; `release` must not reject. */
export function trackRelease(context: Context, address: string, release: Promise<void>): void {
  const slot = slotOf(context, address)
  const combined = slot.releasing === undefined ? release : Promise.all([slot.releasing, release]).then(() => undefined)
  slot.releasing = combined
  void combined.then(() => {
    if (slot.releasing !== combined) return
    slot.releasing = undefined
    forgetIfIdle(context, address, slot)
  })
}

/** Registers the holder of `address` as waiting for the socket of a release in progress. */
export function awaitHandover(context: Context, address: string, successor: Successor): void {
  slotOf(context, address).successor = successor
}

/** Whether an endpoint waits to take over `address` in `context`. */
export function successorWaiting(context: Context, address: string): boolean {
  return slots.get(context)?.get(address)?.successor !== undefined
}

/** Withdraws and returns the endpoint waiting to take over `address` in `context`. */
export function takeSuccessor(context: Context, address: string): Successor | undefined {
  const slot = slots.get(context)?.get(address)
  const successor = slot?.successor
  if (slot !== undefined) slot.successor = undefined
  return successor
}
