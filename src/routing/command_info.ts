/**
 * Command metadata from the server's own `COMMAND INFO`: which arguments are keys (so the router
 * can compute the slot) and whether a command only reads (so it may go to a replica). Static name
 * lists drift between server versions and miss module commands; key specifications do not.
 * @module
 */
import { decoder } from "../_utf8.ts";
import { BUILTIN_ROWS, type BuiltinRow } from "./_builtin_commands.ts";
import { ProtocolError } from "../errors.ts";
import type { RedisReply } from "../types.ts";

/**
 * Where a key specification starts looking for keys: at a fixed argument `index`, after the
 * first argument equal to `keyword` (case-insensitive; searching forward from `startFrom`, or
 * backward from `args.length + startFrom` when `startFrom` is not positive), or `unknown`.
 *
 * @example
 * ```ts
 * import type { BeginSearch } from "@x/rcluster/resp";
 * const xread: BeginSearch = { type: "keyword", keyword: "STREAMS", startFrom: 1 };
 * ```
 */
export type BeginSearch =
  | { readonly type: "index"; readonly index: number }
  | { readonly type: "keyword"; readonly keyword: string; readonly startFrom: number }
  | { readonly type: "unknown" };

/**
 * How a key specification finds keys from where the search began: a `range` (`lastKey` relative
 * to the start, or counted from the end when negative; with `lastKey: -1`, a `limit` of N means
 * only the first 1/N of the remaining arguments), a `keynum` (the argument at `keyNumIndex` holds
 * the key count, keys start `firstKey` after the start), or `unknown`.
 *
 * @example
 * ```ts
 * import type { FindKeys } from "@x/rcluster/resp";
 * const evalKeys: FindKeys = { type: "keynum", keyNumIndex: 0, firstKey: 1, keyStep: 1 };
 * ```
 */
export type FindKeys =
  | {
    readonly type: "range";
    readonly lastKey: number;
    readonly keyStep: number;
    readonly limit: number;
  }
  | {
    readonly type: "keynum";
    readonly keyNumIndex: number;
    readonly firstKey: number;
    readonly keyStep: number;
  }
  | { readonly type: "unknown" };

/**
 * A Redis 7 key specification. `flags` are upper case: `RO`, `RW`, `OW`, `RM`, `ACCESS`,
 * `UPDATE`, `INSERT`, `DELETE`, `NOT_KEY`, `INCOMPLETE`, `VARIABLE_FLAGS`.
 *
 * @example
 * ```ts
 * import { BUILTIN_COMMANDS } from "@x/rcluster/resp";
 * const [spec] = BUILTIN_COMMANDS.get("get")?.keySpecs ?? [];
 * console.log(spec?.flags.has("RO")); // true
 * ```
 */
export interface KeySpec {
  /** Access and search flags, upper case. */
  readonly flags: ReadonlySet<string>;
  /** Where the search for keys begins. */
  readonly beginSearch: BeginSearch;
  /** How keys are found from there. */
  readonly findKeys: FindKeys;
}

/**
 * What the server says about one command (or one `container|sub` subcommand).
 *
 * @example
 * ```ts
 * import { BUILTIN_COMMANDS } from "@x/rcluster/resp";
 * const mset = BUILTIN_COMMANDS.get("mset");
 * console.log(mset?.arity, mset?.step); // -3 2
 * ```
 */
export interface CommandSpec {
  /** Lower case; subcommands are named `container|sub`, e.g. `xinfo|stream`. */
  readonly name: string;
  /** Exact argument count including the name, or minus the minimum when variadic. */
  readonly arity: number;
  /** Lower-case command flags: `write`, `readonly`, `blocking`, `movablekeys`, ... */
  readonly flags: ReadonlySet<string>;
  /** Legacy position of the first key (0: none). */
  readonly firstKey: number;
  /** Legacy position of the last key; negative counts from the end. */
  readonly lastKey: number;
  /** Legacy distance between keys. */
  readonly step: number;
  /** Redis 7 key specifications, in server order (empty before Redis 7). */
  readonly keySpecs: readonly KeySpec[];
  /** Subcommands by lower-case sub name. */
  readonly subcommands: ReadonlyMap<string, CommandSpec>;
  /** Redis 7 command tips, e.g. `request_policy:all_shards`, `response_policy:agg_sum`. */
  readonly tips: ReadonlySet<string>;
}

const UNKNOWN: { readonly type: "unknown" } = Object.freeze({ type: "unknown" });

function _text(r: RedisReply | undefined): string | undefined {
  if (typeof r === "string") return r;
  if (r instanceof Uint8Array) return decoder.decode(r);
  return undefined;
}

function _int(r: RedisReply | undefined): number | undefined {
  if (typeof r === "number") return Number.isSafeInteger(r) ? r : undefined;
  if (typeof r === "bigint") return _int(Number(r));
  const t = _text(r);
  return t !== undefined && /^-?\d+$/.test(t) ? _int(Number(t)) : undefined;
}

/** RESP2 sends arrays; RESP3 sends sets for flags, tips, key specs and subcommands. */
function _list(r: RedisReply | undefined): readonly RedisReply[] {
  if (Array.isArray(r)) return r;
  return r instanceof Set ? [...r] : [];
}

/** RESP2 sends maps as flat key/value arrays; RESP3 as real maps. */
function _field(r: RedisReply | undefined, name: string): RedisReply | undefined {
  if (r instanceof Map) {
    for (const [k, v] of r) if (_text(k) === name) return v;
  } else if (Array.isArray(r)) {
    for (let i = 0; i + 1 < r.length; i += 2) if (_text(r[i]) === name) return r[i + 1];
  }
  return undefined;
}

function _words(r: RedisReply | undefined, upper: boolean): Set<string> {
  const out = new Set<string>();
  for (const item of _list(r)) {
    const t = _text(item);
    if (t !== undefined) out.add(upper ? t.toUpperCase() : t.toLowerCase());
  }
  return out;
}

function _parseBegin(r: RedisReply | undefined): BeginSearch {
  const type = _text(_field(r, "type"));
  const spec = _field(r, "spec");
  if (type === "index") {
    const index = _int(_field(spec, "index"));
    if (index !== undefined) return Object.freeze({ type, index });
  } else if (type === "keyword") {
    const keyword = _text(_field(spec, "keyword"));
    const startFrom = _int(_field(spec, "startfrom"));
    if (keyword !== undefined && startFrom !== undefined) {
      return Object.freeze({ type, keyword, startFrom });
    }
  }
  return UNKNOWN;
}

function _parseFind(r: RedisReply | undefined): FindKeys {
  const type = _text(_field(r, "type"));
  const spec = _field(r, "spec");
  const keyStep = _int(_field(spec, "keystep"));
  if (type === "range") {
    const lastKey = _int(_field(spec, "lastkey"));
    const limit = _int(_field(spec, "limit"));
    if (lastKey !== undefined && keyStep !== undefined && limit !== undefined) {
      return Object.freeze({ type, lastKey, keyStep, limit });
    }
  } else if (type === "keynum") {
    const keyNumIndex = _int(_field(spec, "keynumidx"));
    const firstKey = _int(_field(spec, "firstkey"));
    if (keyNumIndex !== undefined && firstKey !== undefined && keyStep !== undefined) {
      return Object.freeze({ type, keyNumIndex, firstKey, keyStep });
    }
  }
  return UNKNOWN;
}

function _commandSpec(fields: Omit<CommandSpec, "subcommands">, subs: CommandSpec[]): CommandSpec {
  const subcommands = new Map<string, CommandSpec>();
  for (const s of subs) subcommands.set(s.name.slice(s.name.indexOf("|") + 1), s);
  return Object.freeze({ ...fields, subcommands });
}

function _parseEntry(entry: RedisReply): CommandSpec {
  const f = Array.isArray(entry) ? entry : [];
  const name = _text(f[0]);
  const arity = _int(f[1]);
  if (name === undefined || arity === undefined) {
    throw new ProtocolError(`malformed COMMAND INFO entry ${name ?? "without a name"}`);
  }
  return _commandSpec({
    name: name.toLowerCase(),
    arity,
    flags: _words(f[2], false),
    firstKey: _int(f[3]) ?? 0,
    lastKey: _int(f[4]) ?? 0,
    step: _int(f[5]) ?? 0,
    tips: _words(f[7], false),
    keySpecs: _list(f[8]).map((ks) =>
      Object.freeze({
        flags: _words(_field(ks, "flags"), true),
        beginSearch: _parseBegin(_field(ks, "begin_search")),
        findKeys: _parseFind(_field(ks, "find_keys")),
      })
    ),
  }, _list(f[9]).map(_parseEntry));
}

/**
 * Parses a `COMMAND`, `COMMAND INFO` or `COMMAND INFO name...` reply: RESP2 nested arrays, or
 * RESP3 with maps and sets; bulk strings as strings or bytes. `null` entries (unknown commands)
 * are skipped. Older servers' shorter entries parse with empty key specs, tips and subcommands.
 * Keyed by lower-case name. An error reply is thrown as is; a reply that is not a list, or an
 * entry without a name and arity, throws `ProtocolError`.
 *
 * @example
 * ```ts
 * import { parseCommandInfo } from "@x/rcluster/resp";
 * const specs = parseCommandInfo([["ping", -1, ["fast"], 0, 0, 0, [], [], [], []], null]);
 * console.log(specs.get("ping")?.flags.has("fast")); // true
 * ```
 */
export function parseCommandInfo(reply: RedisReply): Map<string, CommandSpec> {
  if (reply instanceof Error) throw reply;
  if (!Array.isArray(reply) && !(reply instanceof Set)) {
    throw new ProtocolError(`COMMAND INFO reply is not a list: ${typeof reply}`);
  }
  const out = new Map<string, CommandSpec>();
  for (const entry of reply) {
    if (entry === null) continue;
    const spec = _parseEntry(entry);
    out.set(spec.name, spec);
  }
  return out;
}

function _split(text: string | undefined, sep: string): string[] {
  return text ? text.split(sep) : [];
}

function _decodeKeySpec(text: string): KeySpec {
  const [flags, begin = "", find = ""] = text.split("|");
  const b = begin.slice(1).split(",");
  const n = find.slice(1).split(",").map(Number);
  const beginSearch: BeginSearch = begin[0] === "i"
    ? Object.freeze({ type: "index", index: Number(b[0]) })
    : begin[0] === "k"
    ? Object.freeze({ type: "keyword", keyword: b.slice(1).join(","), startFrom: Number(b[0]) })
    : UNKNOWN;
  const [x = 0, y = 0, z = 0] = n;
  const findKeys: FindKeys = find[0] === "r"
    ? Object.freeze({ type: "range", lastKey: x, keyStep: y, limit: z })
    : find[0] === "n"
    ? Object.freeze({ type: "keynum", keyNumIndex: x, firstKey: y, keyStep: z })
    : UNKNOWN;
  return Object.freeze({ flags: new Set(_split(flags, " ")), beginSearch, findKeys });
}

function _decodeRow(row: BuiltinRow, subs: CommandSpec[]): CommandSpec {
  const [name, arity, flags, firstKey, lastKey, step, keySpecs, tips] = row;
  return _commandSpec({
    name,
    arity,
    flags: new Set(_split(flags, " ")),
    firstKey,
    lastKey,
    step,
    keySpecs: _split(keySpecs, ";").map(_decodeKeySpec),
    tips: new Set(_split(tips, " ")),
  }, subs);
}

/** Expands the generated seed rows; subcommand rows (`a|b`) attach to their container. */
function _decodeRows(rows: readonly BuiltinRow[]): Map<string, CommandSpec> {
  const subs = new Map<string, CommandSpec[]>();
  for (const row of rows) {
    const bar = row[0].indexOf("|");
    if (bar === -1) continue;
    const container = row[0].slice(0, bar);
    subs.set(container, [...subs.get(container) ?? [], _decodeRow(row, [])]);
  }
  const out = new Map<string, CommandSpec>();
  for (const row of rows) {
    if (!row[0].includes("|")) out.set(row[0], _decodeRow(row, subs.get(row[0]) ?? []));
  }
  return out;
}

/**
 * Specs of ~190 common commands and their subcommands, generated from a Redis 7.0 server, so
 * routing needs no `COMMAND INFO` round trip for them. Other commands are fetched lazily and
 * parsed with {@linkcode parseCommandInfo}.
 *
 * @example
 * ```ts
 * import { BUILTIN_COMMANDS, isReadOnly } from "@x/rcluster/resp";
 * console.log(isReadOnly(BUILTIN_COMMANDS.get("hgetall"))); // true
 * ```
 */
export const BUILTIN_COMMANDS: ReadonlyMap<string, CommandSpec> = _decodeRows(BUILTIN_ROWS);
