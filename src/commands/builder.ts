/**
 * The table-driven builder behind every typed command method: argument kinds, option rules and
 * `_cmd`, which turns a method's raw JavaScript arguments into the arguments Redis receives.
 * @module
 */
import type { CallOptions } from "../execution/call_options.ts";
import type { BuiltCommand } from "./types.ts";
import type { RedisArgument, RedisKey, RedisReply } from "../types.ts";

export type {
  BuiltCommand,
  Bulk,
  CountOptions,
  CursorOptions,
  FieldValues,
  KeyValues,
  Mode,
  Out,
  RangeLimit,
  Variadic,
} from "./types.ts";

/** An options object as the builder reads it. */
export type _Options = CallOptions & { readonly [field: string]: unknown };
/** A reply transform. */
export type _Transform = (reply: RedisReply) => unknown;
/** Builds one method's command from its raw arguments. */
export type _Builder = (args: readonly unknown[]) => BuiltCommand;
/** Makes the builder of the method with the given name (used in error messages). */
export type _Spec = (method: string) => _Builder;

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

function put(method: string, label: string, kind: _Kind, v: unknown, out: RedisArgument[]): void {
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

/** `[field, token, kind]`: `kind` absent means a boolean flag sending `token` when true. */
export type _Rule = readonly [field: string, token: string, kind?: _Kind];

/** How a method's options object turns into arguments. */
export interface _OptionSpec {
  /** Fields in the order their arguments are sent. */
  readonly rules: readonly _Rule[];
  /** Groups of fields of which at most one may be set. */
  readonly exclusive?: readonly (readonly string[])[];
  /** `[field, ...alternatives]`: when `field` is set, one of the alternatives must be too. */
  readonly requires?: readonly (readonly [string, ...string[]])[];
}

/** A piece of a command's shape. */
export type _Part =
  | { readonly p: "param"; readonly name: string; readonly kind: _Kind; readonly optional: boolean }
  | { readonly p: "rest"; readonly name: string; readonly kind: _Kind; readonly min: number }
  | { readonly p: "opts"; readonly spec: _OptionSpec }
  | { readonly p: "lit"; readonly token: string };

/** A required positional argument. */
export const _arg = (name: string, kind: _Kind): _Part => ({
  p: "param",
  name,
  kind,
  optional: false,
});
/** An optional positional argument (only last among the positional ones). */
export const _maybe = (name: string, kind: _Kind): _Part => ({
  p: "param",
  name,
  kind,
  optional: true,
});
/** The remaining arguments, at least `min` of them. */
export const _rest = (name: string, kind: _Kind, min = 1): _Part => ({
  p: "rest",
  name,
  kind,
  min,
});
/** Arguments taken from the options object, sent here. */
export const _opts = (spec: _OptionSpec): _Part => ({ p: "opts", spec });
/** A fixed word. */
export const _lit = (token: string): _Part => ({ p: "lit", token });

/** The `key` argument of single-key commands. */
export const _K: _Part = _arg("key", _KEY);
/** The `field` argument of hash commands. */
export const _FIELD: _Part = _arg("field", _ARG);
/** The `member` argument of set and sorted-set commands. */
export const _MEMBER: _Part = _arg("member", _ARG);

function isSet(o: _Options, field: string): boolean {
  const v = o[field];
  return v !== undefined && v !== false;
}

function emit(method: string, spec: _OptionSpec, o: _Options, out: RedisArgument[]): void {
  for (const [field, token, kind] of spec.rules) {
    const v = o[field];
    if (v === undefined) continue;
    if (kind === undefined) {
      if (typeof v !== "boolean") throw _bad(method, `options.${field}`, "a boolean", v);
      if (v) out.push(token);
      continue;
    }
    if (token) out.push(token);
    put(method, `options.${field}`, kind, v, out);
  }
  for (const group of spec.exclusive ?? []) {
    const [a, b] = group.filter((f) => isSet(o, f));
    if (b !== undefined) {
      throw new TypeError(`${method}(): options.${a} and options.${b} cannot be combined`);
    }
  }
  for (const [field, ...alternatives] of spec.requires ?? []) {
    if (isSet(o, field) && !alternatives.some((f) => isSet(o, f))) {
      const need = alternatives.map((f) => `options.${f}`).join(" or ");
      throw new TypeError(`${method}(): options.${field} requires ${need}`);
    }
  }
}

/** A reply transform, or one chosen by whether an option is set. */
export type _Reply =
  | _Transform
  | { readonly when: string; readonly then: _Transform; readonly else?: _Transform };

/** What `_cmd` takes besides the command and its parts. */
export interface _Extra {
  /** The reply transform. */
  readonly reply?: _Reply;
  /** Checks across arguments; returns the error text (after "method(): ") when invalid. */
  readonly check?: (args: readonly unknown[], o: _Options | undefined) => string | undefined;
}

function pick(reply: _Reply | undefined, o: _Options | undefined): _Transform | undefined {
  if (reply === undefined || typeof reply === "function") return reply;
  return o !== undefined && isSet(o, reply.when) ? reply.then : reply.else;
}

/**
 * The builder of a command made of `parts`. The options object is the last argument when it is
 * a plain object beyond the required positional arguments, so objects taken positionally (HSET
 * fields, MSET entries) are never mistaken for it.
 */
export function _cmd(command: string, parts: readonly _Part[], extra: _Extra = {}): _Spec {
  const head = command.split(" ");
  let positional = 0;
  let required = 0;
  let variadic = false;
  for (const part of parts) {
    if (part.p === "param") {
      positional++;
      if (!part.optional) required = positional;
    } else if (part.p === "rest") {
      variadic = true;
      required = positional + part.min;
    }
  }
  const { reply, check } = extra;
  return (method) => (args) => {
    let n = args.length;
    let options: _Options | undefined;
    if (n > required) {
      const last = args[n - 1];
      if (_isOptions(last)) {
        options = last;
        n--;
      } else if (last === undefined) n--;
    }
    if (!variadic && n > positional) {
      const noun = positional === 1 ? "argument" : "arguments";
      throw new TypeError(`${method}(): takes ${positional} ${noun} and options, got ${n}`);
    }
    const out: RedisArgument[] = head.slice();
    let i = 0;
    for (const part of parts) {
      if (part.p === "param") {
        const v = i < n ? args[i] : undefined;
        i++;
        if (v !== undefined || !part.optional) put(method, part.name, part.kind, v, out);
      } else if (part.p === "rest") {
        if (n - i < part.min) {
          throw new TypeError(`${method}(): needs at least ${part.min} of ${part.name}`);
        }
        for (let j = 0; i < n; i++, j++) {
          if (!part.kind.push(args[i], out)) {
            throw _bad(method, `${part.name}[${j}]`, part.kind.expect, args[i]);
          }
        }
      } else if (part.p === "opts") {
        if (options) emit(method, part.spec, options, out);
      } else out.push(part.token);
    }
    const problem = check?.(args, options);
    if (problem) throw new TypeError(`${method}(): ${problem}`);
    return { args: out, options, transform: pick(reply, options) };
  };
}

/** The `count` option of commands taking an optional count, sent bare. */
export function _countOpt(kind: _Kind): _Part {
  return _opts({ rules: [["count", "", kind]] });
}

/** MATCH/COUNT options of the SCAN family. */
export const _CURSOR_RULES: readonly _Rule[] = [["match", "MATCH", _ARG], ["count", "COUNT", _POS]];

/** Cursor argument of the SCAN family: the string a previous call returned, or a number. */
export const _CURSOR: _Part = _arg(
  "cursor",
  single(
    "a cursor string or non-negative integer",
    (v): v is string | number | bigint => typeof v === "string" || isNat(v),
  ),
);

/**
 * The command of a `sendCommand(args)` call, checked now: in a pipeline or transaction an empty
 * command would fail only when sent, after the commands around it (in a transaction: inside
 * MULTI).
 */
export function _rawCommand(
  where: string,
  args: readonly RedisArgument[],
  options: CallOptions | undefined,
): BuiltCommand {
  if (!Array.isArray(args) || args.length === 0) {
    throw new TypeError(`${where}(): args must be a non-empty array`);
  }
  return { args, options, transform: undefined };
}
