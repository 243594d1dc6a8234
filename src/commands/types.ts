/**
 * The public types shared by the typed command methods.
 * @module
 */
import type { CallOptions } from "../execution/call_options.ts";
import type { RedisArgument, RedisKey, RedisReply } from "../types.ts";

/**
 * A bulk-string reply: `string` when the client was made with `decodeResponses: true`,
 * `Uint8Array` otherwise.
 *
 * @example
 * ```ts
 * import type { Bulk } from "@x/rcluster/resp";
 * const text: Bulk<true> = "hello";
 * ```
 */
export type Bulk<D extends boolean> = D extends true ? string : Uint8Array;

/**
 * How command methods behave: `"call"` sends at once (client), `"queue"` records (pipeline).
 *
 * @example
 * ```ts
 * import type { Mode } from "@x/rcluster/resp";
 * const mode: Mode = "queue";
 * ```
 */
export type Mode = "call" | "queue";

/**
 * What a command method returns: a promise of the reply for a client, the builder itself
 * (`this`) for a pipeline so calls chain.
 *
 * @example
 * ```ts
 * import type { Out } from "@x/rcluster/resp";
 * const reply: Out<"call", number, never> = Promise.resolve(1);
 * ```
 */
export type Out<M extends Mode, T, Self> = M extends "call" ? Promise<T> : Self;

/**
 * Rest parameters of a variadic method: the items, optionally followed by an options object.
 *
 * @example
 * ```ts
 * import type { CallOptions, Variadic } from "@x/rcluster/resp";
 * const args: Variadic<string, CallOptions> = ["a", "b", { timeoutMs: 50 }];
 * ```
 */
export type Variadic<T, O extends CallOptions = CallOptions> =
  | [...items: T[]]
  | [...items: T[], options: O];

/**
 * A command ready to send: its arguments (command name first), the call options split off the
 * method's arguments, and the reply transform (applied after `decodeResponses` conversion).
 *
 * @example
 * ```ts
 * import { COMMAND_TABLE } from "@x/rcluster/resp";
 * const built = COMMAND_TABLE.get("get")?.(["foo"]);
 * console.log(built?.args); // ["GET", "foo"]
 * ```
 */
export interface BuiltCommand {
  /** The command's words and arguments, e.g. `["SET", "k", "v", "EX", 10]`. */
  readonly args: readonly RedisArgument[];
  /** The options object given to the method (command-specific fields included), if any. */
  readonly options: CallOptions | undefined;
  /** Turns the reply into the method's documented result; `undefined` keeps it as is. */
  readonly transform: ((reply: RedisReply) => unknown) | undefined;
}

/**
 * Options of commands taking an optional count (LPOP, SPOP, ZPOPMIN, XRANGE...). With a count
 * the reply is a list.
 *
 * @example
 * ```ts
 * import type { CountOptions } from "@x/rcluster/resp";
 * const opts: CountOptions = { count: 3 };
 * ```
 */
export interface CountOptions extends CallOptions {
  /** How many elements to return.
   * @default undefined (one element, not wrapped in a list) */
  count?: number;
}

/**
 * MATCH / COUNT options of HSCAN, SSCAN and ZSCAN.
 *
 * @example
 * ```ts
 * import type { CursorOptions } from "@x/rcluster/resp";
 * const opts: CursorOptions = { match: "user:*", count: 100 };
 * ```
 */
export interface CursorOptions extends CallOptions {
  /** Glob pattern the returned elements must match (`MATCH`).
   * @default undefined (all) */
  match?: RedisArgument;
  /** How much work one call does (`COUNT`); a hint, not a page size.
   * @default undefined (the server's default, 10) */
  count?: number;
}

/**
 * `LIMIT offset count` of range queries; a negative `count` means all from `offset`.
 *
 * @example
 * ```ts
 * import type { RangeLimit } from "@x/rcluster/resp";
 * const limit: RangeLimit = { offset: 0, count: 10 };
 * ```
 */
export interface RangeLimit {
  /** Elements to skip. */
  offset: number;
  /** Elements to return at most. */
  count: number;
}

/**
 * Field-value pairs (HSET, XADD): a record, a `Map`, or an array of `[field, value]` pairs.
 *
 * @example
 * ```ts
 * import type { FieldValues } from "@x/rcluster/resp";
 * const fields: FieldValues = { name: "Ada", born: 1815 };
 * ```
 */
export type FieldValues =
  | Readonly<Record<string, RedisArgument>>
  | ReadonlyMap<RedisArgument, RedisArgument>
  | readonly (readonly [field: RedisArgument, value: RedisArgument])[];

/**
 * Key-value pairs (MSET, MSETNX): a record, a `Map`, or an array of `[key, value]` pairs.
 *
 * @example
 * ```ts
 * import type { KeyValues } from "@x/rcluster/resp";
 * const entries: KeyValues = [["{u1}.name", "Ada"], ["{u1}.born", 1815]];
 * ```
 */
export type KeyValues =
  | Readonly<Record<string, RedisArgument>>
  | ReadonlyMap<RedisKey, RedisArgument>
  | readonly (readonly [key: RedisKey, value: RedisArgument])[];
