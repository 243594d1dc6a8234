/**
 * String, bitmap and HyperLogLog commands.
 * @module
 */
import type { CallOptions } from "../execution/call_options.ts";
import {
  _arg,
  _cmd,
  _K,
  type _Method,
  _opts,
  _rest,
  type _Rule,
  type Bulk,
  type KeyValues,
  type Mode,
  type Out,
  type Variadic,
} from "./builder.ts";
import { _ARG, _BIT, _INT, _KEY, _NUM, _oneOf, _pairs, _POS } from "./argument_kinds.ts";
import { _number } from "./replies.ts";
import type { RedisArgument, RedisKey } from "../types.ts";

/**
 * Expiry options shared by SET and GETEX; at most one may be given.
 *
 * @example
 * ```ts
 * import type { ExpiryOptions } from "@x/rcluster";
 * const opts: ExpiryOptions = { px: 1500 };
 * ```
 */
export interface ExpiryOptions extends CallOptions {
  /** Expire after this many seconds (`EX`).
   * @default undefined */
  ex?: number;
  /** Expire after this many milliseconds (`PX`).
   * @default undefined */
  px?: number;
  /** Expire at this Unix time in seconds (`EXAT`).
   * @default undefined */
  exat?: number;
  /** Expire at this Unix time in milliseconds (`PXAT`).
   * @default undefined */
  pxat?: number;
}

/**
 * Options of `set()`.
 *
 * @example
 * ```ts
 * import type { SetOptions } from "@x/rcluster";
 * const opts: SetOptions = { ex: 60, nx: true };
 * ```
 */
export interface SetOptions extends ExpiryOptions {
  /** Keep the key's current time to live (`KEEPTTL`).
   * @default false */
  keepttl?: boolean;
  /** Only set when the key does not exist (`NX`); the reply is null otherwise.
   * @default false */
  nx?: boolean;
  /** Only set when the key exists (`XX`); the reply is null otherwise.
   * @default false */
  xx?: boolean;
  /** Return the old value instead of `"OK"` (`GET`).
   * @default false */
  get?: boolean;
}

/**
 * Options of `getex()`.
 *
 * @example
 * ```ts
 * import type { GetExOptions } from "@x/rcluster";
 * const opts: GetExOptions = { persist: true };
 * ```
 */
export interface GetExOptions extends ExpiryOptions {
  /** Remove the time to live (`PERSIST`).
   * @default false */
  persist?: boolean;
}

/**
 * A range of a bitmap for `bitcount()` and `bitpos()`.
 *
 * @example
 * ```ts
 * import type { BitRangeOptions } from "@x/rcluster";
 * const opts: BitRangeOptions = { start: 0, end: 7, unit: "BIT" };
 * ```
 */
export interface BitRangeOptions extends CallOptions {
  /** First byte (or bit) of the range; negative counts from the end.
   * @default undefined (whole string) */
  start?: number;
  /** Last byte (or bit) of the range, inclusive; needs `start`.
   * @default undefined (end of string) */
  end?: number;
  /** Whether `start`/`end` count bytes or bits; needs `end`.
   * @default "BYTE" */
  unit?: "BYTE" | "BIT";
}

/**
 * String, bitmap and HyperLogLog commands.
 *
 * @example
 * ```ts
 * import type { StringCommands } from "@x/rcluster";
 * type Get = StringCommands<true, "call">["get"];
 * ```
 */
export interface StringCommands<D extends boolean, M extends Mode> {
  /** Returns the value of `key`, or null when it does not exist.
   * @example
   * ```ts
   * const name = await rc.get("user:1:name");
   * ``` */
  get(key: RedisKey, options?: CallOptions): Out<M, Bulk<D> | null, this>;
  /** Sets `key` and returns its old value (`SET ... GET`), or null when it had none.
   * @example
   * ```ts
   * const old = await rc.set("counter", 0, { get: true });
   * ``` */
  set(
    key: RedisKey,
    value: RedisArgument,
    options: SetOptions & { get: true },
  ): Out<M, Bulk<D> | null, this>;
  /** Sets `key`; returns `"OK"`, or null when an `nx`/`xx` condition was not met.
   * @example
   * ```ts
   * await rc.set("session:1", token, { ex: 3600 });
   * ``` */
  set(key: RedisKey, value: RedisArgument, options?: SetOptions): Out<M, "OK" | null, this>;
  /** Returns the value of `key` and deletes the key.
   * @example
   * ```ts
   * const once = await rc.getdel("otp:1");
   * ``` */
  getdel(key: RedisKey, options?: CallOptions): Out<M, Bulk<D> | null, this>;
  /** Returns the value of `key` and changes its expiry.
   * @example
   * ```ts
   * const v = await rc.getex("session:1", { ex: 3600 });
   * ``` */
  getex(key: RedisKey, options?: GetExOptions): Out<M, Bulk<D> | null, this>;
  /** Returns the substring between byte offsets `start` and `end` (inclusive).
   * @example
   * ```ts
   * const head = await rc.getrange("log", 0, 99);
   * ``` */
  getrange(key: RedisKey, start: number, end: number, options?: CallOptions): Out<M, Bulk<D>, this>;
  /** Overwrites part of the value from byte `offset`; returns the new length.
   * @example
   * ```ts
   * await rc.setrange("greeting", 6, "Redis");
   * ``` */
  setrange(
    key: RedisKey,
    offset: number,
    value: RedisArgument,
    options?: CallOptions,
  ): Out<M, number, this>;
  /** Appends to the value; returns the new length.
   * @example
   * ```ts
   * await rc.append("log", "line\n");
   * ``` */
  append(key: RedisKey, value: RedisArgument, options?: CallOptions): Out<M, number, this>;
  /** Returns the length of the value in bytes (0 when the key does not exist).
   * @example
   * ```ts
   * const n = await rc.strlen("log");
   * ``` */
  strlen(key: RedisKey, options?: CallOptions): Out<M, number, this>;
  /** Adds 1 to the integer value; returns the new value.
   * @example
   * ```ts
   * const hits = await rc.incr("hits");
   * ``` */
  incr(key: RedisKey, options?: CallOptions): Out<M, number, this>;
  /** Adds `increment` to the integer value; returns the new value.
   * @example
   * ```ts
   * await rc.incrby("stock", -3);
   * ``` */
  incrby(key: RedisKey, increment: number | bigint, options?: CallOptions): Out<M, number, this>;
  /** Adds `increment` to the float value; returns the new value as a number.
   * @example
   * ```ts
   * const total = await rc.incrbyfloat("balance", 2.5);
   * ``` */
  incrbyfloat(key: RedisKey, increment: number, options?: CallOptions): Out<M, number, this>;
  /** Subtracts 1 from the integer value; returns the new value.
   * @example
   * ```ts
   * await rc.decr("seats");
   * ``` */
  decr(key: RedisKey, options?: CallOptions): Out<M, number, this>;
  /** Subtracts `decrement` from the integer value; returns the new value.
   * @example
   * ```ts
   * await rc.decrby("seats", 2);
   * ``` */
  decrby(key: RedisKey, decrement: number | bigint, options?: CallOptions): Out<M, number, this>;
  /** Returns the values of the keys, null for missing ones; keys may span slots.
   * @example
   * ```ts
   * const [a, b] = await rc.mget("a", "b");
   * ``` */
  mget(...keys: Variadic<RedisKey>): Out<M, (Bulk<D> | null)[], this>;
  /** Sets several keys; keys may span slots (then it is not atomic across slots).
   * @example
   * ```ts
   * await rc.mset({ a: "1", b: "2" });
   * ``` */
  mset(entries: KeyValues, options?: CallOptions): Out<M, "OK", this>;
  /** Sets several keys of one slot only if none exists; returns 1 when set, 0 otherwise.
   * @example
   * ```ts
   * await rc.msetnx({ "{u1}.a": "1", "{u1}.b": "2" });
   * ``` */
  msetnx(entries: KeyValues, options?: CallOptions): Out<M, number, this>;
  /** Sets `key` only if it does not exist; returns 1 when set, 0 otherwise.
   * @example
   * ```ts
   * const won = await rc.setnx("lock", "me");
   * ``` */
  setnx(key: RedisKey, value: RedisArgument, options?: CallOptions): Out<M, number, this>;
  /** Sets `key` with a time to live in seconds.
   * @example
   * ```ts
   * await rc.setex("cache:1", 60, "data");
   * ``` */
  setex(
    key: RedisKey,
    seconds: number,
    value: RedisArgument,
    options?: CallOptions,
  ): Out<M, "OK", this>;
  /** Sets `key` with a time to live in milliseconds.
   * @example
   * ```ts
   * await rc.psetex("cache:1", 1500, "data");
   * ``` */
  psetex(
    key: RedisKey,
    milliseconds: number,
    value: RedisArgument,
    options?: CallOptions,
  ): Out<M, "OK", this>;
  /** Sets `key` and returns its old value (prefer `set(k, v, { get: true })`).
   * @example
   * ```ts
   * const old = await rc.getset("counter", 0);
   * ``` */
  getset(key: RedisKey, value: RedisArgument, options?: CallOptions): Out<M, Bulk<D> | null, this>;
  /** Sets or clears the bit at `offset`; returns the bit's previous value.
   * @example
   * ```ts
   * await rc.setbit("seen", 42, 1);
   * ``` */
  setbit(key: RedisKey, offset: number, value: 0 | 1, options?: CallOptions): Out<M, number, this>;
  /** Returns the bit at `offset` (0 past the end).
   * @example
   * ```ts
   * const bit = await rc.getbit("seen", 42);
   * ``` */
  getbit(key: RedisKey, offset: number, options?: CallOptions): Out<M, number, this>;
  /** Counts the set bits, in the whole value or a range.
   * @example
   * ```ts
   * const n = await rc.bitcount("seen", { start: 0, end: -1 });
   * ``` */
  bitcount(key: RedisKey, options?: BitRangeOptions): Out<M, number, this>;
  /** Returns the position of the first bit equal to `bit`, or -1.
   * @example
   * ```ts
   * const free = await rc.bitpos("slots", 0);
   * ``` */
  bitpos(key: RedisKey, bit: 0 | 1, options?: BitRangeOptions): Out<M, number, this>;
  /** Stores a bitwise operation over keys of one slot; returns the result's length.
   * @example
   * ```ts
   * await rc.bitop("AND", "{d}.both", "{d}.mon", "{d}.tue");
   * ``` */
  bitop(
    operation: "AND" | "OR" | "XOR" | "NOT",
    destination: RedisKey,
    ...keys: Variadic<RedisKey>
  ): Out<M, number, this>;
  /** Adds elements to a HyperLogLog; returns 1 when its estimate changed, 0 otherwise.
   * @example
   * ```ts
   * await rc.pfadd("visitors", "ada", "alan");
   * ``` */
  pfadd(key: RedisKey, ...elements: Variadic<RedisArgument>): Out<M, number, this>;
  /** Returns the estimated cardinality of the union of HyperLogLogs of one slot.
   * @example
   * ```ts
   * const n = await rc.pfcount("visitors");
   * ``` */
  pfcount(...keys: Variadic<RedisKey>): Out<M, number, this>;
  /** Merges HyperLogLogs of one slot into `destination`.
   * @example
   * ```ts
   * await rc.pfmerge("{v}.week", "{v}.mon", "{v}.tue");
   * ``` */
  pfmerge(destination: RedisKey, ...sources: Variadic<RedisKey>): Out<M, "OK", this>;
}

const EXPIRY: readonly _Rule[] = [
  ["ex", "EX", _POS],
  ["px", "PX", _POS],
  ["exat", "EXAT", _POS],
  ["pxat", "PXAT", _POS],
];
const EXPIRY_FIELDS = ["ex", "px", "exat", "pxat"];
const VALUE = _arg("value", _ARG);
const KEY_VALUES = _pairs("a non-empty record, Map or array of [key, value] pairs", {
  first: _KEY,
  second: _ARG,
});
const UNIT = _oneOf("BYTE", "BIT");
const bitRange = (...requires: (readonly [string, string])[]) =>
  _opts({
    rules: [["start", "", _INT], ["end", "", _INT], ["unit", "", UNIT]],
    requires: [["end", "start"], ["unit", "end"], ...requires],
  });

/** Builders of the string, bitmap and HyperLogLog commands. */
export const _STRING_METHODS: { readonly [K in keyof StringCommands<boolean, Mode>]: _Method } = {
  get: _cmd("GET", [_K]),
  set: _cmd("SET", [
    _K,
    VALUE,
    _opts({
      rules: [["nx", "NX"], ["xx", "XX"], ["get", "GET"], ...EXPIRY, ["keepttl", "KEEPTTL"]],
      exclusive: [["nx", "xx"], [...EXPIRY_FIELDS, "keepttl"]],
    }),
  ]),
  getdel: _cmd("GETDEL", [_K]),
  getex: _cmd("GETEX", [
    _K,
    _opts({
      rules: [...EXPIRY, ["persist", "PERSIST"]],
      exclusive: [[...EXPIRY_FIELDS, "persist"]],
    }),
  ]),
  getrange: _cmd("GETRANGE", [_K, _arg("start", _INT), _arg("end", _INT)]),
  setrange: _cmd("SETRANGE", [_K, _arg("offset", _INT), VALUE]),
  append: _cmd("APPEND", [_K, VALUE]),
  strlen: _cmd("STRLEN", [_K]),
  incr: _cmd("INCR", [_K]),
  incrby: _cmd("INCRBY", [_K, _arg("increment", _INT)]),
  incrbyfloat: _cmd("INCRBYFLOAT", [_K, _arg("increment", _NUM)], { reply: _number }),
  decr: _cmd("DECR", [_K]),
  decrby: _cmd("DECRBY", [_K, _arg("decrement", _INT)]),
  mget: _cmd("MGET", [_rest("keys", _KEY)]),
  mset: _cmd("MSET", [_arg("entries", KEY_VALUES)]),
  msetnx: _cmd("MSETNX", [_arg("entries", KEY_VALUES)]),
  setnx: _cmd("SETNX", [_K, VALUE]),
  setex: _cmd("SETEX", [_K, _arg("seconds", _POS), VALUE]),
  psetex: _cmd("PSETEX", [_K, _arg("milliseconds", _POS), VALUE]),
  getset: _cmd("GETSET", [_K, VALUE]),
  setbit: _cmd("SETBIT", [_K, _arg("offset", _INT), _arg("value", _BIT)]),
  getbit: _cmd("GETBIT", [_K, _arg("offset", _INT)]),
  bitcount: _cmd("BITCOUNT", [_K, bitRange(["start", "end"])]),
  bitpos: _cmd("BITPOS", [_K, _arg("bit", _BIT), bitRange()]),
  bitop: _cmd("BITOP", [
    _arg("operation", _oneOf("AND", "OR", "XOR", "NOT")),
    _arg("destination", _KEY),
    _rest("keys", _KEY),
  ]),
  pfadd: _cmd("PFADD", [_K, _rest("elements", _ARG, 0)]),
  pfcount: _cmd("PFCOUNT", [_rest("keys", _KEY)]),
  pfmerge: _cmd("PFMERGE", [_arg("destination", _KEY), _rest("sources", _KEY, 0)]),
};
