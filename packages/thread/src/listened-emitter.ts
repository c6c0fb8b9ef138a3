import { EventEmitter } from "eventemitter3"

type Names<Events extends EventEmitter.ValidEventTypes> = EventEmitter.EventNames<Events>
type Listener<Events extends EventEmitter.ValidEventTypes, T extends Names<Events>> = EventEmitter.EventListener<
  Events,
  T
>

/**
 * An eventemitter3 emitter that knows whether one of its events has listeners: every change of
 * listeners (`on`/`addListener`, `once` and its removal once it fired, `off`/`removeListener`,
 * `removeAllListeners`) ends in one call of `listening` with the answer, so the producer of that
 * event can skip building events nobody hears.
 */
export class ListenedEmitter<Events extends EventEmitter.ValidEventTypes> extends EventEmitter<Events> {
  readonly #watched: Names<Events>
  readonly #listening: (listening: boolean) => void

  /** `listening` is called after every change of listeners, with whether `watched` has any. */
  constructor(watched: Names<Events>, listening: (listening: boolean) => void) {
    super()
    this.#watched = watched
    this.#listening = listening
  }

  /** Adds a listener, as eventemitter3's `on` (also `addListener`). */
  override on<T extends Names<Events>>(event: T, fn: Listener<Events, T>, context?: unknown): this {
    super.on(event, fn, context)
    return this.#changed()
  }

  /** Adds a listener called once, as eventemitter3's `once`. */
  override once<T extends Names<Events>>(event: T, fn: Listener<Events, T>, context?: unknown): this {
    super.once(event, fn, context)
    return this.#changed()
  }

  /** Removes listeners, as eventemitter3's `removeListener` (also `off`). */
  override removeListener<T extends Names<Events>>(
    event: T,
    fn?: Listener<Events, T>,
    context?: unknown,
    once?: boolean
  ): this {
    super.removeListener(event, fn, context, once)
    return this.#changed()
  }

  /** Removes every listener, or those of one event. */
  override removeAllListeners(event?: Names<Events>): this {
    super.removeAllListeners(event)
    return this.#changed()
  }

  #changed(): this {
    this.#listening(this.listenerCount(this.#watched) > 0)
    return this
  }
}

// As eventemitter3 itself: the aliases are the same functions.
ListenedEmitter.prototype.addListener = ListenedEmitter.prototype.on
ListenedEmitter.prototype.off = ListenedEmitter.prototype.removeListener
