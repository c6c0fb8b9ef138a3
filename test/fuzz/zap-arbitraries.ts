import fc from "fast-check"
import { curveKeyPair } from "zeromq"
import { Authenticator, z85 } from "@zmq-auth/core"

/** Number of generated cases for the pure codec and engine properties (`FUZZ_RUNS`, default 2000). */
export const FUZZ_RUNS = Number(process.env.FUZZ_RUNS ?? 2000)

/**
 * The fuzz policy: PLAIN user admin/secret only (domain "*"), CURVE one known key only
 * (domain "*"), address 10.0.0.1 denied, nothing configured for GSSAPI.
 */
export const POLICY = {
  username: "admin",
  password: "secret",
  knownKey: curveKeyPair().publicKey,
  deniedAddress: "10.0.0.1",
} as const

/** A fresh engine configured with {@link POLICY}. */
export function policyEngine(): Authenticator {
  return new Authenticator()
    .deny(POLICY.deniedAddress)
    .configurePlain("*", { [POLICY.username]: POLICY.password })
    .configureCurveKeys("*", [POLICY.knownKey])
}

const knownKeyBytes = z85.decode(POLICY.knownKey)
const buffer = (text: string): Buffer => Buffer.from(text, "utf8")
const randomBytes = (maxLength: number): fc.Arbitrary<Buffer> =>
  fc.uint8Array({ maxLength }).map((bytes) => Buffer.from(bytes))

/**
 * A frame: mostly `exact` (the value the policy knows), else one of the near misses `nearMisses`
 * (UTF-8) or random bytes. Biased so that allowed requests and near misses are both frequent.
 */
function frameOf(exact: string, nearMisses: readonly string[], maxLength = 12): fc.Arbitrary<Buffer> {
  return fc.oneof(
    { weight: 6, arbitrary: fc.constant(buffer(exact)) },
    { weight: 4, arbitrary: fc.constantFrom(...nearMisses).map(buffer) },
    { weight: 1, arbitrary: randomBytes(maxLength) }
  )
}

function flipOneBit(key: Buffer): fc.Arbitrary<Buffer> {
  return fc.nat({ max: key.length * 8 - 1 }).map((bit) => {
    const copy = Buffer.from(key)
    copy[bit >> 3]! ^= 1 << (bit & 7)
    return copy
  })
}

/** CURVE credentials: the known key, near misses (one bit off, wrong length, its Z85 text), random keys. */
const curveKey: fc.Arbitrary<Buffer> = fc.oneof(
  { weight: 3, arbitrary: fc.constant(Buffer.from(knownKeyBytes)) },
  { weight: 3, arbitrary: flipOneBit(knownKeyBytes) },
  { weight: 1, arbitrary: fc.constant(knownKeyBytes.subarray(0, 31)) },
  { weight: 1, arbitrary: fc.constant(Buffer.concat([knownKeyBytes, Buffer.alloc(1)])) },
  { weight: 1, arbitrary: fc.constant(buffer(POLICY.knownKey)) },
  { weight: 2, arbitrary: fc.uint8Array({ minLength: 32, maxLength: 32 }).map((bytes) => Buffer.from(bytes)) },
  { weight: 1, arbitrary: randomBytes(40) }
)

const username = frameOf("admin", ["Admin", "admin\0", "admin ", " admin", "", "root", "admi", "adminadmin", "ädmin"])
const password = frameOf(
  "secret",
  ["Secret", "secret\0", "secret ", "secre", "secrets", "", "[redacted]", "s3cret", "secret".repeat(40)],
  300
)

/** Credential frames shaped for a mechanism, with the right count most of the time. */
function credentialsFor(mechanism: string): fc.Arbitrary<Buffer[]> {
  const wrongCount = fc.array(fc.oneof(username, curveKey, randomBytes(8)), { maxLength: 4 })
  switch (mechanism) {
    case "PLAIN":
      return fc.oneof({ weight: 6, arbitrary: fc.tuple(username, password) }, { weight: 1, arbitrary: wrongCount })
    case "CURVE":
      return fc.oneof({ weight: 6, arbitrary: curveKey.map((key) => [key]) }, { weight: 1, arbitrary: wrongCount })
    case "GSSAPI":
      return fc.oneof(
        { weight: 4, arbitrary: username.map((principal) => [principal]) },
        { weight: 1, arbitrary: wrongCount }
      )
    case "NULL":
      return fc.oneof({ weight: 6, arbitrary: fc.constant<Buffer[]>([]) }, { weight: 1, arbitrary: wrongCount })
    default:
      return wrongCount
  }
}

const mechanism = fc.oneof(
  { weight: 8, arbitrary: fc.constantFrom("NULL", "PLAIN", "CURVE", "GSSAPI") },
  { weight: 2, arbitrary: fc.constantFrom("null", "Plain", "PLAIN\0", "CURVE ", "", "KERBEROS") },
  { weight: 1, arbitrary: fc.string({ maxLength: 8 }) }
)

/**
 * ZAP request frames (no routing envelope): mostly well formed with near-miss credentials, and
 * sometimes truncated, with a bad version, or entirely random.
 */
export const zapRequestFrames: fc.Arbitrary<Buffer[]> = fc.oneof(
  {
    weight: 8,
    arbitrary: mechanism.chain((name) =>
      fc
        .record({
          version: frameOf("1.0", ["1.1", "", "1.0\0", "1.00", "2.0", " 1.0"]),
          requestId: randomBytes(8),
          domain: frameOf("", ["*", "global", "other"]),
          address: frameOf("127.0.0.1", [
            POLICY.deniedAddress,
            "10.0.0.2",
            "::1",
            `${POLICY.deniedAddress} `,
            "",
            "::ffff:127.0.0.1",
          ]),
          identity: randomBytes(6),
          credentials: credentialsFor(name),
          keep: fc.oneof({ weight: 8, arbitrary: fc.constant(null) }, { weight: 2, arbitrary: fc.nat({ max: 8 }) }),
        })
        .map(({ version, requestId, domain, address, identity, credentials, keep }) => {
          const frames = [version, requestId, domain, address, identity, buffer(name), ...credentials]
          return keep === null ? frames : frames.slice(0, keep)
        })
    ),
  },
  { weight: 1, arbitrary: fc.array(randomBytes(16), { maxLength: 10 }) }
)

/** What the policy demands for a request: an exact reply, or (no frames to answer) a drop. */
export type Expectation =
  { kind: "drop" } | { kind: "reply"; statusCode: 200 | 400; statusText: string; userId: string }

const CREDENTIALS: Readonly<Record<string, number>> = { NULL: 0, PLAIN: 2, CURVE: 1, GSSAPI: 1 }

/**
 * The oracle, written from API.md's decision order independently of the engine's code:
 * what {@link POLICY} must answer to `frames`.
 */
export function expectedReply(frames: readonly Buffer[]): Expectation {
  const deny = (statusText: string): Expectation => ({ kind: "reply", statusCode: 400, statusText, userId: "" })
  if (frames.length < 2) return { kind: "drop" }
  if (frames.length < 6) return deny("Not enough frames")
  if (frames[0]!.toString("latin1") !== "1.0") return deny("Invalid version")
  const name = frames[5]!.toString("latin1")
  const credentials = frames.slice(6)
  const count = CREDENTIALS[name]
  if (count !== undefined && credentials.length !== count) return deny("Invalid credentials")
  if (name === "CURVE" && credentials[0]!.length !== 32) return deny("Invalid credentials")
  if (frames[3]!.toString("utf8") === POLICY.deniedAddress) return deny("Address denied")
  switch (name) {
    case "NULL":
      return { kind: "reply", statusCode: 200, statusText: "OK", userId: "anonymous" }
    case "PLAIN": {
      const user = credentials[0]!
      if (!user.equals(buffer(POLICY.username))) {
        // A user name that is not valid UTF-8 decodes with U+FFFD: still not "admin".
        return deny("Invalid username")
      }
      return credentials[1]!.equals(buffer(POLICY.password))
        ? { kind: "reply", statusCode: 200, statusText: "OK", userId: POLICY.username }
        : deny("Invalid password")
    }
    case "CURVE":
      return credentials[0]!.equals(knownKeyBytes)
        ? { kind: "reply", statusCode: 200, statusText: "OK", userId: POLICY.knownKey }
        : deny("Unknown key")
    case "GSSAPI":
      return deny("Unknown domain")
    default:
      return deny("Unknown mechanism")
  }
}

/** Requests every run includes (fast-check `examples`): each allow path and its nearest misses. */
export const EXAMPLE_REQUESTS: Buffer[][] = [
  ["NULL"],
  ["PLAIN", POLICY.username, POLICY.password],
  ["PLAIN", POLICY.username, `${POLICY.password}\0`],
  ["PLAIN", `${POLICY.username}\0`, POLICY.password],
  ["CURVE", knownKeyBytes],
  ["CURVE", Buffer.from(knownKeyBytes.map((byte, index) => (index === 31 ? byte ^ 1 : byte)))],
  ["GSSAPI", POLICY.username],
].map(([name, ...credentials]) => [
  buffer("1.0"),
  buffer("example"),
  buffer(""),
  buffer("127.0.0.1"),
  buffer(""),
  buffer(name as string),
  ...credentials.map((credential) => (typeof credential === "string" ? buffer(credential) : credential!)),
])
