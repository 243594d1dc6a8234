/**
 * The table-driven builder behind every typed command method: argument kinds, option rules and
 * `_cmd`, which turns a method's raw JavaScript arguments into the arguments Redis receives.
 * @module
 */
import type { CallOptions } from "../execution/call_options.ts";
import { _refuseStateful } from "../routing/stateful.ts";
import {
  _ARG,
  _bad,
  _CURSOR_VALUE,
  _isOptions,
  _KEY,
  type _Kind,
  type _Options,
  _POS,
  _put,
} from "./argument_kinds.ts";
import type { BuiltCommand } from "./types.ts";
import type { RedisArgument, RedisReply } from "../types.ts";

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

/** A reply transform. */
export type _Transform = (reply: RedisReply) => unknown;
/** Builds one method's command from its raw arguments. */
export type _Builder = (args: readonly unknown[]) => BuiltCommand;
/** A typed method's definition: makes its builder once given the method's name (for messages). */
export type _Method = (method: string) => _Builder;

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
    _put(method, `options.${field}`, kind, v, out);
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
export function _cmd(command: string, parts: readonly _Part[], extra: _Extra = {}): _Method {
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
        if (v !== undefined || !part.optional) _put(method, part.name, part.kind, v, out);
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

/** Cursor argument of the SCAN family. */
export const _CURSOR: _Part = _arg("cursor", _CURSOR_VALUE);

/**
 * The command of a `sendCommand(args)` call, checked now: in a pipeline or transaction an empty
 * command would fail only when sent, after the commands around it (in a transaction: inside
 * MULTI); a command that changes its connection's state is refused everywhere.
 */
export function _rawCommand(
  where: string,
  args: readonly RedisArgument[],
  options: CallOptions | undefined,
): BuiltCommand {
  if (!Array.isArray(args) || args.length === 0) {
    throw new TypeError(`${where}(): args must be a non-empty array`);
  }
  _refuseStateful(where, args);
  return { args, options, transform: undefined };
}
