/**
 * The kinds of argument a typed method takes (keys, integers, scores, pairs...): how each is
 * checked and written to the wire. A bad value is a `TypeError` naming the method and argument.
 * @module
 */
import type { CallOptions } from "../execution/call_options.ts";
import type { RedisArgument, RedisKey } from "../types.ts";

/** An options object as the builder reads it. */
export type _Options = CallOptions & { readonly [field: string]: unknown };

/** One kind of argument: how it is checked and written. */
export interface _Kind {
  /** What a valid value is, completing "must be ...". */
  readonly expect: string;
  /** Appends the wire form of `v` to `out`; returns false, appending nothing, when `v` is invalid. */
  readonly push: (v: unknown, out: RedisArgument[]) => boolean;
}

/** True for `{...}` literals and `Object.create(null)`: what an options argument looks like. */
export function _isOptions(v: unknown): v is _Options {
  if (typeof v !== "object" || v === null) return false;
  const proto: unknown = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

function describe(v: unknown): string {
  if (v === null || v === undefined) return String(v);
  if (typeof v === "number" || typeof v === "bigint") return `${typeof v} ${v}`;
  if (Array.isArray(v)) return "an array";
  if (typeof v === "object") return v.constructor?.name ?? "an object";
  return typeof v;
}

/** The TypeError for an invalid argument, naming the method and the argument. */
export function _bad(method: string, label: string, expect: string, v: unknown): TypeError {
  return new TypeError(`${method}(): ${label} must be ${expect}, got ${describe(v)}`);
}

export function _put(
  method: string,
  label: string,
  kind: _Kind,
  v: unknown,
  out: RedisArgument[],
): void {
  if (!kind.push(v, out)) throw _bad(method, label, kind.expect, v);
}

function single(expect: string, ok: (v: unknown) => v is RedisArgument): _Kind {
  return {
    expect,
    push: (v, out) => {
      if (!ok(v)) return false;
      out.push(v);
      return true;
    },
  };
}

const isKey = (v: unknown): v is RedisKey => typeof v === "string" || v instanceof Uint8Array;
const isInt = (v: unknown): v is number | bigint =>
  typeof v === "bigint" || Number.isSafeInteger(v);
const isNat = (v: unknown): v is number | bigint => isInt(v) && v >= 0;
const isNumber = (v: unknown): v is number => typeof v === "number" && Number.isFinite(v);

/** A key: string or bytes. */
export const _KEY: _Kind = single("a string or Uint8Array", isKey);
/** Any argument: string, bytes, bigint or finite number. */
export const _ARG: _Kind = single(
  "a string, finite number, bigint or Uint8Array",
  (v): v is RedisArgument => isKey(v) || typeof v === "bigint" || isNumber(v),
);
/** A string (scripts, stream IDs, group names). */
export const _STR: _Kind = single("a string", (v): v is string => typeof v === "string");
/** A safe integer or bigint. */
export const _INT: _Kind = single("an integer", isInt);
/** An integer >= 0. */
export const _NAT: _Kind = single("a non-negative integer", isNat);
/** An integer > 0. */
export const _POS: _Kind = single(
  "a positive integer",
  (v): v is number | bigint => isInt(v) && v > 0,
);
/** A finite number. */
export const _NUM: _Kind = single("a finite number", isNumber);
/** A finite number >= 0 (blocking timeouts in seconds). */
export const _SECONDS: _Kind = single(
  "a non-negative number of seconds",
  (v): v is number => isNumber(v) && v >= 0,
);
/** A bit value. */
export const _BIT: _Kind = single("0 or 1", (v): v is number => v === 0 || v === 1);

/** A score: any number but NaN, infinities written as Redis spells them. */
export const _SCORE: _Kind = {
  expect: "a number (not NaN)",
  push: (v, out) => {
    if (typeof v !== "number" || Number.isNaN(v)) return false;
    out.push(v === Infinity ? "+inf" : v === -Infinity ? "-inf" : v);
    return true;
  },
};

/** A range bound: a score or a string such as `"(1.5"`, `"-inf"` or `"[a"`. */
export const _BOUND: _Kind = {
  expect: 'a number or a bound string such as "(1" or "-inf"',
  push: (v, out) => typeof v === "string" ? out.push(v) > 0 : _SCORE.push(v, out),
};

/** One of a fixed set of words, sent as given. */
export function _oneOf(...words: string[]): _Kind {
  const allowed = new Set(words);
  return single(
    `one of ${words.map((w) => `"${w}"`).join(", ")}`,
    (v): v is string => typeof v === "string" && allowed.has(v),
  );
}

/** Pushes every element of a non-empty (or, with `min` 0, any) array with `item`. */
export function _list(item: _Kind, expect: string, min = 1): _Kind {
  return {
    expect,
    push: (v, out) => {
      if (!Array.isArray(v) || v.length < min) return false;
      const start = out.length;
      for (const x of v) {
        if (!item.push(x, out)) {
          out.length = start;
          return false;
        }
      }
      return true;
    },
  };
}

/** Keys preceded by their count (`numkeys`), as EVAL, FCALL and ZUNIONSTORE take them. */
export function _counted(min: number): _Kind {
  const keys = _list(_KEY, "", min);
  return {
    expect: min ? "a non-empty array of keys" : "an array of keys",
    push: (v, out) => {
      const at = out.push(0) - 1;
      if (!keys.push(v, out)) {
        out.length = at;
        return false;
      }
      out[at] = out.length - at - 1;
      return true;
    },
  };
}

const KEY_LIST = _list(_KEY, "a non-empty array of keys");
/** One key or a non-empty array of keys. */
export const _KEYS: _Kind = {
  expect: "a key or a non-empty array of keys",
  push: (v, out) => _KEY.push(v, out) || KEY_LIST.push(v, out),
};

/** `{ offset, count }` sent as `offset count`. */
export const _LIMIT: _Kind = {
  expect: "{ offset: integer, count: integer }",
  push: (v, out) => {
    if (!_isOptions(v) || !isNat(v.offset) || !isInt(v.count)) return false;
    out.push(v.offset, v.count);
    return true;
  },
};

/**
 * Pairs given as a record, a `Map` or an array of 2-tuples, sent flat. Tuples are sent in their
 * order (`first`, `second`); record and Map entries as key, value, or value, key when `swap`.
 */
export function _pairs(
  expect: string,
  kinds: { first: _Kind; second: _Kind; swap?: boolean },
): _Kind {
  const { first, second, swap = false } = kinds;
  const pair = (a: unknown, b: unknown, out: RedisArgument[]): boolean =>
    first.push(a, out) && second.push(b, out);
  const entry = (k: unknown, v: unknown, out: RedisArgument[]): boolean =>
    swap ? pair(v, k, out) : pair(k, v, out);
  return {
    expect,
    push: (v, out) => {
      const start = out.length;
      let ok = true;
      if (Array.isArray(v)) {
        for (const t of v) ok &&= Array.isArray(t) && t.length === 2 && pair(t[0], t[1], out);
      } else if (v instanceof Map) {
        for (const [k, x] of v) ok &&= entry(k, x, out);
      } else if (_isOptions(v)) {
        for (const k of Object.keys(v)) ok &&= entry(k, v[k], out);
      } else ok = false;
      if (ok && out.length > start) return true;
      out.length = start;
      return false;
    },
  };
}

/** Field-value pairs (HSET, XADD). */
export const _FIELD_VALUES: _Kind = _pairs(
  "a non-empty record, Map or array of [field, value] pairs",
  { first: _ARG, second: _ARG },
);

/** A SCAN-family cursor: the string a previous call returned, or a number. */
export const _CURSOR_VALUE: _Kind = single(
  "a cursor string or non-negative integer",
  (v): v is string | number | bigint => typeof v === "string" || isNat(v),
);
