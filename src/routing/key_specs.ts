/**
 * What a command's arguments mean by its spec: the subcommand it names, where its keys are, and
 * whether it only reads. Mirrors the server's own key search, so routing needs no name lists.
 * @module
 */
import { decoder } from "../_utf8.ts";
import type { BeginSearch, CommandSpec, FindKeys } from "./command_info.ts";
import type { RedisArgument } from "../types.ts";

function _argText(arg: RedisArgument): string {
  return arg instanceof Uint8Array ? decoder.decode(arg) : String(arg);
}

/** ASCII-only case folding, like the server's strcasecmp: no Unicode look-alikes match. */
function _asciiLower(text: string): string {
  return text.replace(/[A-Z]/g, (c) => String.fromCharCode(c.charCodeAt(0) | 0x20));
}

function _sameKeyword(arg: RedisArgument | undefined, keyword: string): boolean {
  if (arg === undefined) return false;
  const text = _argText(arg);
  return text.length === keyword.length && _asciiLower(text) === _asciiLower(keyword);
}

/**
 * The spec to use for these arguments: a container command (`OBJECT`, `XINFO`, `CLUSTER`...)
 * resolves to its subcommand named by `args[1]`; anything else, or an unknown subcommand, stays
 * as given.
 *
 * @example
 * ```ts
 * import { BUILTIN_COMMANDS, resolveSpec } from "@x/rcluster/resp";
 * const object = BUILTIN_COMMANDS.get("object");
 * if (object) console.log(resolveSpec(object, ["OBJECT", "ENCODING", "k"]).name); // "object|encoding"
 * ```
 */
export function resolveSpec(spec: CommandSpec, args: readonly RedisArgument[]): CommandSpec {
  const sub = args[1];
  if (spec.subcommands.size === 0 || sub === undefined) return spec;
  return spec.subcommands.get(_argText(sub).toLowerCase()) ?? spec;
}

/** Positions `first, first+step, ... <= last` that exist in args; never the command name. */
function _positions(first: number, last: number, step: number, argc: number): number[] {
  const out: number[] = [];
  const start = first >= 1 ? first : first + Math.ceil((1 - first) / step) * step;
  for (let i = start; i <= last && i < argc; i += step) out.push(i);
  return out;
}

/** Mirrors the server's keyword search; `null` when the keyword is absent (no keys). */
function _begin(bs: BeginSearch, args: readonly RedisArgument[]): number | null | undefined {
  if (bs.type === "index") return bs.index;
  if (bs.type === "unknown") return undefined;
  const argc = args.length;
  const start = bs.startFrom > 0 ? bs.startFrom : argc + bs.startFrom;
  const end = bs.startFrom > 0 ? argc - 1 : 1; // exclusive, as in the server
  const dir = start <= end ? 1 : -1;
  for (let i = start; i !== end && i >= 1 && i < argc; i += dir) {
    if (_sameKeyword(args[i], bs.keyword)) return i + 1;
  }
  return null;
}

/** A non-negative key count as the server parses it, or undefined when it would be rejected. */
function _count(arg: RedisArgument | undefined): number | undefined {
  if (arg === undefined) return undefined;
  const text = _argText(arg);
  if (!/^(0|[1-9][0-9]*)$/.test(text)) return undefined;
  const n = Number(text);
  return Number.isSafeInteger(n) ? n : undefined;
}

function _find(fk: FindKeys, first: number, args: readonly RedisArgument[]): number[] | undefined {
  if (fk.type === "unknown" || fk.keyStep < 1) return undefined;
  const argc = args.length;
  if (fk.type === "keynum") {
    // A missing or malformed count makes the server reject the command wherever it is sent.
    const n = _count(args[first + fk.keyNumIndex]);
    if (n === undefined || n === 0) return [];
    const start = first + fk.firstKey;
    return _positions(start, start + (n - 1) * fk.keyStep, fk.keyStep, argc);
  }
  let last: number;
  if (fk.lastKey >= 0) last = first + fk.lastKey;
  else if (fk.limit === 0) last = argc + fk.lastKey;
  else if (fk.lastKey === -1 && fk.limit > 0) {
    last = first + Math.trunc((argc - first) / fk.limit) - 1;
  } else return undefined;
  return _positions(first, last, fk.keyStep, argc);
}

function _legacyKeys(spec: CommandSpec, argc: number): number[] | undefined {
  if (spec.firstKey <= 0) return [];
  if (spec.step < 1) return undefined;
  const last = spec.lastKey < 0 ? argc + spec.lastKey : spec.lastKey;
  return _positions(spec.firstKey, last, spec.step, argc);
}

/**
 * Positions in `args` (`args[0]` is the command name) of the arguments that decide the slot,
 * ascending; `[]` for keyless commands. Subcommands are resolved first. Shard channels
 * (`NOT_KEY` specs of `SPUBLISH`/`SSUBSCRIBE`) count, because the cluster routes them by slot.
 *
 * Returns `undefined` when metadata cannot tell, and the caller must ask `COMMAND GETKEYS`: a key
 * spec is `INCOMPLETE` or of an unknown type (e.g. `SORT`, `MIGRATE`), a container's subcommand
 * is unknown, or a pre-7 server marks the command `movablekeys`. Short or malformed argument
 * lists never throw: positions that do not exist are left out, and a missing or invalid key
 * count (`EVAL script x`) yields `[]`, since the server rejects such a command on any node.
 *
 * @example
 * ```ts
 * import { BUILTIN_COMMANDS, keyIndexes } from "@x/rcluster/resp";
 * const evalSpec = BUILTIN_COMMANDS.get("eval");
 * if (evalSpec) console.log(keyIndexes(evalSpec, ["EVAL", "return 1", 2, "a", "b", "x"])); // [3, 4]
 * ```
 */
export function keyIndexes(
  spec: CommandSpec,
  args: readonly RedisArgument[],
): number[] | undefined {
  const s = resolveSpec(spec, args);
  if (s.subcommands.size > 0) return args.length < 2 ? [] : undefined;
  if (s.keySpecs.length === 0) {
    return s.flags.has("movablekeys") ? undefined : _legacyKeys(s, args.length);
  }
  const found = new Set<number>();
  for (const ks of s.keySpecs) {
    // VARIABLE_FLAGS only means the access flags vary; positions stay exact.
    if (ks.flags.has("INCOMPLETE")) return undefined;
    const first = _begin(ks.beginSearch, args);
    if (first === undefined) return undefined;
    if (first === null) continue;
    const positions = _find(ks.findKeys, first, args);
    if (positions === undefined) return undefined;
    for (const p of positions) found.add(p);
  }
  return [...found].sort((a, b) => a - b);
}

/** Flags that keep a command on the master even when the server also marks it `readonly`. */
const MASTER_ONLY = ["write", "blocking", "admin", "pubsub", "may_replicate"] as const;

/**
 * True only when the server marks the command `readonly` and not `write`, `blocking` (so
 * `XREAD`, which may block, stays on the master), `admin`, `pubsub` or `may_replicate`. Pass the
 * resolved subcommand spec: containers carry no flags. Unknown (`undefined`) is false.
 *
 * @example
 * ```ts
 * import { BUILTIN_COMMANDS, isReadOnly } from "@x/rcluster/resp";
 * console.log(isReadOnly(BUILTIN_COMMANDS.get("get")), isReadOnly(BUILTIN_COMMANDS.get("set"))); // true false
 * ```
 */
export function isReadOnly(spec: CommandSpec | undefined): boolean {
  if (spec === undefined || !spec.flags.has("readonly")) return false;
  return !MASTER_ONLY.some((flag) => spec.flags.has(flag));
}
