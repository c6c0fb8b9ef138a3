/**
 * A tiny schema language for the messages between the threads: each shape is spelled once, and
 * both its TypeScript type ({@link Infer}) and its runtime check ({@link Schema.read}) come from
 * it. A failed check throws `AuthenticatorError` naming the path of the value and what was
 * expected, never the value itself (it may hold a password). Fields not in a shape are ignored.
 *
 * @module
 */

import { AuthenticatorError } from "@zmq-auth/core"

/** Where a value is in a message; made into text only for an error. */
export type Path = string | { readonly parent: Path; readonly key: string | number }

/** Checks that a value has type `T`. */
export interface Schema<T> {
  /** What a value must be, for errors ("a string"). */
  readonly expected: string
  /**
   * Returns `value` typed as `T`; throws `AuthenticatorError` naming where it is when it is not
   * one: property (or index) `key` of `parent`, or `parent` itself without a key.
   */
  read(value: unknown, parent: Path, key?: string | number): T
}

/** A field that may be absent (or `undefined`). */
export interface OptionalSchema<T> extends Schema<T | undefined> {
  readonly optional: true
}

/** The type a schema checks. */
export type Infer<S> = S extends Schema<infer T> ? T : never

/** The fields of an object shape. */
export type Fields = Record<string, Schema<unknown>>

type Simplify<T> = { [K in keyof T]: T[K] } & {}
type OptionalKeys<F extends Fields> = { [K in keyof F]: F[K] extends OptionalSchema<unknown> ? K : never }[keyof F]

/** The object type of `fields`: optional schemas become optional properties. */
export type ShapeType<F extends Fields> = Simplify<
  { [K in Exclude<keyof F, OptionalKeys<F>>]: Infer<F[K]> } & { [K in OptionalKeys<F>]?: Infer<F[K]> }
>

/** The union of `{ [key]: name } & fields` over the variants of a {@link variants} schema. */
export type VariantsType<K extends string, V extends Record<string, Fields>> = {
  [N in keyof V & string]: Simplify<{ [P in K]: N } & ShapeType<V[N]>>
}[keyof V & string]

/** The path of a whole message in errors; the fields of its variants are named by the variant (`configure.id`). */
export const MESSAGE = "message"

function pathText(path: Path): string {
  if (typeof path === "string") return path
  const parent = pathText(path.parent)
  return typeof path.key === "number" ? `${parent}[${path.key}]` : `${parent}.${path.key}`
}

/** The path of `key` in `parent` (of `parent` itself without a key). */
export function at(parent: Path, key?: string | number): Path {
  return key === undefined ? parent : { parent, key }
}

/** Throws the error of a failed check. */
export function invalid(path: Path, expected: string): never {
  throw new AuthenticatorError(`invalid message between threads: ${pathText(path)} is not ${expected}`)
}

/** A schema from a type guard. */
export function guard<T>(is: (value: unknown) => value is T, expected: string): Schema<T> {
  return {
    expected,
    read(value, parent, key) {
      return is(value) ? value : invalid(at(parent, key), expected)
    },
  }
}

/** Whether `value` is an object (not `null`), of any kind. */
export const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null

export const string = guard((value): value is string => typeof value === "string", "a string")
export const number = guard((value): value is number => typeof value === "number", "a number")
export const boolean = guard((value): value is boolean => typeof value === "boolean", "a boolean")
export const bytes = guard((value): value is Uint8Array => value instanceof Uint8Array, "bytes")
/** Any value, present or not (the field's value is the receiver's to judge). */
export const unknown = guard((_value): _value is unknown => true, "anything")

/**
 * Any value, typed as `T`: its content is judged where it is used (the engine judges the
 * arguments of configuration calls with its own typed errors).
 */
export function judgedLater<T>(): Schema<T> {
  return unknown as Schema<T>
}

/** One of the given values (compared with `===`). */
export function literal<const T extends ReadonlyArray<string | number>>(...values: T): Schema<T[number]> {
  const allowed = new Set<unknown>(values)
  return guard((value): value is T[number] => allowed.has(value), `one of ${values.join(", ")}`)
}

/** `schema`, or absent. */
export function optional<T>(schema: Schema<T>): OptionalSchema<T> {
  return {
    optional: true,
    expected: schema.expected,
    read: (value, parent, key) => (value === undefined ? undefined : schema.read(value, parent, key)),
  }
}

/** An array whose items all match `item`. */
export function arrayOf<T>(item: Schema<T>): Schema<T[]> {
  const expected = `an array of ${item.expected}`
  return {
    expected,
    read(value, parent, key) {
      const path = at(parent, key)
      if (!Array.isArray(value)) return invalid(path, expected)
      for (let index = 0; index < value.length; index++) item.read(value[index], path, index)
      return value as T[]
    },
  }
}

/** An object whose own values all match `entry`. */
export function recordOf<T>(entry: Schema<T>): Schema<Record<string, T>> {
  const expected = `an object of ${entry.expected}`
  return {
    expected,
    read(value, parent, key) {
      const path = at(parent, key)
      if (!isRecord(value)) return invalid(path, expected)
      for (const name in value) if (Object.hasOwn(value, name)) entry.read(value[name], path, name)
      return value as Record<string, T>
    },
  }
}

/** The fields of a shape, listed once (read for every message). */
interface FieldList {
  readonly keys: readonly string[]
  readonly schemas: ReadonlyArray<Schema<unknown>>
}

function fieldList(fields: Fields): FieldList {
  return { keys: Object.keys(fields), schemas: Object.values(fields) }
}

function readFields({ keys, schemas }: FieldList, value: Record<string, unknown>, path: Path): void {
  for (let index = 0; index < keys.length; index++) {
    const key = keys[index]!
    schemas[index]!.read(value[key], path, key)
  }
}

/** An object with `fields` (other properties are ignored). */
export function shape<F extends Fields>(fields: F, expected = "an object"): Schema<ShapeType<F>> {
  const list = fieldList(fields)
  return {
    expected,
    read(value, parent, key) {
      const path = at(parent, key)
      if (!isRecord(value)) return invalid(path, expected)
      readFields(list, value, path)
      return value as ShapeType<F>
    },
  }
}

/**
 * Objects told apart by the string property `key`: each variant names its fields. An unknown
 * variant is refused.
 */
export function variants<K extends string, V extends Record<string, Fields>>(
  key: K,
  kinds: V,
  expected = "an object"
): Schema<VariantsType<K, V>> {
  const names = new Map<unknown, FieldList>(Object.entries(kinds).map(([name, fields]) => [name, fieldList(fields)]))
  return {
    expected,
    read(value, parent, name) {
      const path = at(parent, name)
      if (!isRecord(value)) return invalid(path, expected)
      const fields = names.get(value[key])
      if (fields === undefined) return invalid(at(path, key), `a known ${key}`)
      readFields(fields, value, path === MESSAGE ? String(value[key]) : path)
      return value as VariantsType<K, V>
    },
  }
}

/** A schema defined later (for recursive shapes). */
export function lazy<T>(schema: () => Schema<T>, expected: string): Schema<T> {
  return { expected, read: (value, parent, key) => schema().read(value, parent, key) }
}
