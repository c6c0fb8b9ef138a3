import { AuthenticatorError } from "../errors.js"
import { markCheckFailure } from "./check-failures.js"

/** A {@link CredentialVerdict} read and checked: a status code and what it may carry. */
export interface CheckedVerdict {
  statusCode: 200 | 300 | 400
  statusText?: string
  userId?: string
  metadata?: Record<string, string>
}

const STATUS_CODES = new Set<unknown>([200, 300, 400])
const MAX_PROPERTY_NAME = 255

/**
 * Reads what a key callback, store or custom check returned as a `CredentialVerdict`: `true`
 * is 200, `false` 400, an object is checked field by field. Throws {@link AuthenticatorError}
 * naming `what` for anything else (the request is then answered 500). Never echoes values: a
 * malformed verdict might hold a secret.
 */
export function readCredentialVerdict(value: unknown, what: string): CheckedVerdict {
  try {
    return checkVerdict(value, what)
  } catch (error) {
    throw markCheckFailure(error as AuthenticatorError, "malformed", what)
  }
}

function checkVerdict(value: unknown, what: string): CheckedVerdict {
  if (typeof value === "boolean") return { statusCode: value ? 200 : 400 }
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new AuthenticatorError(
      `${what} returned ${value === null ? "null" : typeof value}, not a boolean or CredentialVerdict`
    )
  }
  const { statusCode, statusText, userId, metadata } = value as Record<string, unknown>
  if (!STATUS_CODES.has(statusCode))
    throw new AuthenticatorError(`${what} returned a verdict whose statusCode is not 200, 300 or 400`)
  const verdict: CheckedVerdict = { statusCode: statusCode as 200 | 300 | 400 }
  if (statusText !== undefined) {
    if (typeof statusText !== "string")
      throw new AuthenticatorError(`${what} returned a verdict whose statusText is not a string`)
    verdict.statusText = statusText
  }
  if (userId !== undefined) {
    if (typeof userId !== "string")
      throw new AuthenticatorError(`${what} returned a verdict whose userId is not a string`)
    verdict.userId = userId
  }
  if (metadata !== undefined) verdict.metadata = readMetadata(metadata, what)
  return verdict
}

function readMetadata(metadata: unknown, what: string): Record<string, string> {
  if (metadata === null || typeof metadata !== "object" || Array.isArray(metadata)) {
    throw new AuthenticatorError(`${what} returned a verdict whose metadata is not an object`)
  }
  const properties: Record<string, string> = {}
  for (const [name, text] of Object.entries(metadata)) {
    if (name.length === 0 || name.length > MAX_PROPERTY_NAME || !/^[\x21-\x7e]+$/.test(name)) {
      throw new AuthenticatorError(`${what} returned a verdict with a metadata property name that ZMTP cannot carry`)
    }
    if (typeof text !== "string")
      throw new AuthenticatorError(
        `${what} returned a verdict whose metadata property ${JSON.stringify(name)} is not a string`
      )
    properties[name] = text
  }
  return properties
}
