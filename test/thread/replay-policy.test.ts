import { mkdtemp, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import {
  Authenticator,
  AuthenticatorError,
  CertificateError,
  parseZapRequest,
  z85,
  type CurveKeyCallback,
} from "@zmq-auth/core"
import type { ConfigurableEngine } from "../../packages/thread/src/apply-configuration.js"
import {
  answerConfigure,
  type ConfigureAnswer,
  type ConfigureMessage,
} from "../../packages/thread/src/configure-answer.js"
import { EarlyCalls } from "../../packages/thread/src/early-calls.js"
import type { ConfigurationCall } from "../../packages/thread/src/messages.js"
import { replayPolicy } from "../../packages/thread/src/replay-policy.js"
import { newClientKeys, zapFrames } from "../helpers/sockets.js"

/** Status code, status text and user id of `engine`'s answer to a PLAIN request of domain "app". */
async function plainDecision(engine: Authenticator, username: string, password: string): Promise<unknown[]> {
  const request = parseZapRequest(zapFrames({ mechanism: "PLAIN", domain: "app", credentials: [username, password] }))
  const reply = await engine.authenticate(request)
  return [reply.statusCode, reply.statusText, reply.userId]
}

const passwords = (password: string): ConfigurationCall => ({
  method: "configurePlain",
  domain: "app",
  passwords: { admin: password },
})
const message = (id: number, call: ConfigurationCall): ConfigureMessage => ({ type: "configure", id, call })
const noCallbacks = (callbackId: number): CurveKeyCallback => {
  throw new Error(`no callback ${callbackId} expected`)
}

/** A fresh engine, its early calls and the answers the replay gives, in order. */
function replaySetUp(): { engine: Authenticator; early: EarlyCalls<ConfigureMessage>; answers: ConfigureAnswer[] } {
  return { engine: new Authenticator(), early: new EarlyCalls<ConfigureMessage>(), answers: [] }
}

describe("replayPolicy: the worker's replay of the recorded policy, then of the early calls", () => {
  let directory = ""

  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), "zmq-auth-replay-policy-"))
  })
  afterAll(async () => {
    await rm(directory, { recursive: true, force: true })
  })

  it("applies the recorded calls in order, then the early calls in order, answering each early call", async () => {
    const { engine, early, answers } = replaySetUp()
    expect(early.offer(message(1, passwords("third")))).toBe(true)
    expect(early.offer(message(2, passwords("fourth")))).toBe(true)
    await replayPolicy(engine, {
      policy: [passwords("first"), passwords("second")],
      early,
      callbackFor: noCallbacks,
      answer: (reply) => answers.push(reply),
    })
    expect(answers).toEqual([
      { type: "configured", id: 1 },
      { type: "configured", id: 2 },
    ])
    expect(await plainDecision(engine, "admin", "fourth")).toEqual([200, "OK", "admin"])
    expect(await plainDecision(engine, "admin", "third")).toEqual([400, "Invalid password", ""])
  })

  it("rejects with the engine's error at the first recorded call that fails, applying nothing after it", async () => {
    const { engine, early, answers } = replaySetUp()
    early.offer(message(1, passwords("early")))
    const missing = join(directory, "missing")
    const replaying = replayPolicy(engine, {
      policy: [
        passwords("first"),
        { method: "configureCurve", domain: "secure", location: missing },
        passwords("late"),
      ],
      early,
      callbackFor: noCallbacks,
      answer: (reply) => answers.push(reply),
    })
    await expect(replaying).rejects.toBeInstanceOf(CertificateError)
    await expect(replaying).rejects.toMatchObject({ code: "ERR_CERTIFICATE", file: missing })
    expect(answers).toEqual([])
    expect(await plainDecision(engine, "admin", "first")).toEqual([200, "OK", "admin"])
    expect(await plainDecision(engine, "admin", "late")).toEqual([400, "Invalid password", ""])
    expect(await plainDecision(engine, "admin", "early")).toEqual([400, "Invalid password", ""])
  })

  it("lets one turn of the event loop deliver calls posted meanwhile, and applies them before it settles", async () => {
    const { engine, early, answers } = replaySetUp()
    const replaying = replayPolicy(engine, {
      policy: [passwords("recorded")],
      early,
      callbackFor: noCallbacks,
      answer: (reply) => answers.push(reply),
    })
    let kept: boolean | undefined
    setImmediate(() => {
      kept = early.offer(message(5, passwords("posted")))
    })
    await replaying
    expect(kept).toBe(true)
    expect(answers).toEqual([{ type: "configured", id: 5 }])
    expect(await plainDecision(engine, "admin", "posted")).toEqual([200, "OK", "admin"])
  })

  it("applies early calls offered while an early call is applied, then keeps no more", async () => {
    const { engine, early, answers } = replaySetUp()
    early.offer(message(1, passwords("first")))
    const offeredMeanwhile: boolean[] = []
    await replayPolicy(engine, {
      policy: [],
      early,
      callbackFor: noCallbacks,
      answer: (reply) => {
        answers.push(reply)
        if (reply.id === 1) offeredMeanwhile.push(early.offer(message(2, passwords("meanwhile"))))
      },
    })
    expect(offeredMeanwhile).toEqual([true])
    expect(answers).toEqual([
      { type: "configured", id: 1 },
      { type: "configured", id: 2 },
    ])
    expect(early.offer(message(3, passwords("after")))).toBe(false)
    expect(answers).toHaveLength(2)
    expect(await plainDecision(engine, "admin", "meanwhile")).toEqual([200, "OK", "admin"])
  })

  it("answers a failing early call with configure:failed and the engine's error, and applies the next", async () => {
    const { engine, early, answers } = replaySetUp()
    early.offer(message(1, { method: "deny", addresses: ["10.0.0.2"] }))
    early.offer(message(2, passwords("after the failure")))
    await replayPolicy(engine, {
      policy: [{ method: "allow", addresses: ["127.0.0.1"] }],
      early,
      callbackFor: noCallbacks,
      answer: (reply) => answers.push(reply),
    })
    expect(answers).toEqual([
      {
        type: "configure:failed",
        id: 1,
        error: expect.objectContaining({
          name: "AuthenticatorError",
          code: "ERR_AUTHENTICATOR",
          message: "deny() after allow(): use an allow list or a deny list, not both",
        }) as unknown,
      },
      { type: "configured", id: 2 },
    ])
    expect(await plainDecision(engine, "admin", "after the failure")).toEqual([200, "OK", "admin"])
  })

  it("gives the engine the callback that callbackFor maps each call's callback id to, recorded and early", async () => {
    const { engine, early, answers } = replaySetUp()
    const keys = { recorded: newClientKeys().publicKey, early: newClientKeys().publicKey }
    const wanted: number[] = []
    const callbackFor = (callbackId: number): CurveKeyCallback => {
      wanted.push(callbackId)
      const key = callbackId === 3 ? keys.recorded : keys.early
      return (_domain, publicKey) => publicKey === key
    }
    early.offer(message(1, { method: "configureCurveCallback", domain: "early", callbackId: 4 }))
    await replayPolicy(engine, {
      policy: [{ method: "configureCurveCallback", domain: "recorded", callbackId: 3 }],
      early,
      callbackFor,
      answer: (reply) => answers.push(reply),
    })
    expect(wanted).toEqual([3, 4])
    expect(answers).toEqual([{ type: "configured", id: 1 }])
    const curve = async (domain: string, publicKey: string): Promise<number> =>
      (
        await engine.authenticate(
          parseZapRequest(zapFrames({ mechanism: "CURVE", domain, credentials: [z85.decode(publicKey)] }))
        )
      ).statusCode
    expect([await curve("recorded", keys.recorded), await curve("recorded", keys.early)]).toEqual([200, 400])
    expect([await curve("early", keys.early), await curve("early", keys.recorded)]).toEqual([200, 400])
  })
})

describe("answerConfigure: a configuration call from the main thread, applied and answered", () => {
  /** An engine whose every method settles one turn of the event loop later, as `outcome` says. */
  function laterEngine(outcome: () => void, log: string[]): ConfigurableEngine {
    const method = (): Promise<void> =>
      new Promise((resolve, reject) => {
        setImmediate(() => {
          log.push("engine settled")
          try {
            outcome()
            resolve()
          } catch (error) {
            reject(error as Error)
          }
        })
      })
    return {
      allow: method,
      deny: method,
      configurePlain: method,
      configureCurve: method,
      configureCurveKeys: method,
      configureCurveCallback: method,
      configureGssapi: method,
    }
  }

  it("answers configured once the engine's promise has settled", async () => {
    const log: string[] = []
    await answerConfigure(
      laterEngine(() => undefined, log),
      message(9, { method: "allow", addresses: ["10.0.0.1"] }),
      noCallbacks,
      (reply) => log.push(JSON.stringify(reply))
    )
    expect(log).toEqual(["engine settled", '{"type":"configured","id":9}'])
  })

  it("answers configure:failed with the rejected error's name, code and message, and does not reject", async () => {
    const answers: ConfigureAnswer[] = []
    const failure = new AuthenticatorError("the engine refuses")
    await answerConfigure(
      laterEngine(() => {
        throw failure
      }, []),
      message(9, { method: "configureGssapi", domain: "kerberos" }),
      noCallbacks,
      (reply) => answers.push(reply)
    )
    expect(answers).toEqual([
      {
        type: "configure:failed",
        id: 9,
        error: expect.objectContaining({
          name: "AuthenticatorError",
          code: "ERR_AUTHENTICATOR",
          message: "the engine refuses",
        }) as unknown,
      },
    ])
  })
})
