/**
 * Stream commands (the everyday subset).
 * @module
 */
import type { CallOptions } from "../execution/call_options.ts";
import {
  _arg,
  _cmd,
  _K,
  _lit,
  type _Method,
  _opts,
  _rest,
  type _Rule,
  type CountOptions,
  type FieldValues,
  type Mode,
  type Out,
  type Variadic,
} from "./builder.ts";
import { _FIELD_VALUES, _isOptions, _KEY, type _Kind, _NAT, _POS, _STR } from "./argument_kinds.ts";
import { _entries, _pendingEntries, _pendingSummary, _streams, _textOrNull } from "./replies.ts";
import type {
  DeletedStreamEntry,
  PendingEntry,
  PendingSummary,
  StreamBatch,
  StreamEntry,
  StreamIds,
  StreamTrim,
  XAddOptions,
  XGroupCreateOptions,
  XPendingRangeOptions,
  XReadGroupOptions,
  XReadOptions,
} from "./streams_types.ts";
import type { RedisKey } from "../types.ts";

/**
 * Stream commands. IDs come back as strings, entries as `{ id, fields }`.
 *
 * @example
 * ```ts
 * import type { StreamCommands } from "@x/rcluster";
 * type XAdd = StreamCommands<true, "call">["xadd"];
 * ```
 */
export interface StreamCommands<D extends boolean, M extends Mode> {
  /** Appends an entry (`id` `"*"`: generated); returns its ID, null with `nomkstream` when missing.
   * @example
   * ```ts
   * const id = await rc.xadd("events", "*", { type: "login", user: "ada" });
   * ``` */
  xadd(
    key: RedisKey,
    id: string,
    fields: FieldValues,
    options?: XAddOptions,
  ): Out<M, string | null, this>;
  /** Returns the number of entries.
   * @example
   * ```ts
   * const n = await rc.xlen("events");
   * ``` */
  xlen(key: RedisKey, options?: CallOptions): Out<M, number, this>;
  /** Returns entries with IDs from `start` to `end` (`"-"` and `"+"` for the ends).
   * @example
   * ```ts
   * const page = await rc.xrange("events", "-", "+", { count: 100 });
   * ``` */
  xrange(
    key: RedisKey,
    start: string,
    end: string,
    options?: CountOptions,
  ): Out<M, StreamEntry<D>[], this>;
  /** Returns entries from `end` down to `start`, newest first.
   * @example
   * ```ts
   * const latest = await rc.xrevrange("events", "+", "-", { count: 10 });
   * ``` */
  xrevrange(
    key: RedisKey,
    end: string,
    start: string,
    options?: CountOptions,
  ): Out<M, StreamEntry<D>[], this>;
  /** Deletes entries; returns how many existed.
   * @example
   * ```ts
   * await rc.xdel("events", "1700000000000-0");
   * ``` */
  xdel(key: RedisKey, ...ids: Variadic<string>): Out<M, number, this>;
  /** Trims the stream; returns how many entries were evicted.
   * @example
   * ```ts
   * await rc.xtrim("events", { strategy: "MAXLEN", threshold: 1000, approximate: true });
   * ``` */
  xtrim(key: RedisKey, trim: StreamTrim, options?: CallOptions): Out<M, number, this>;
  /** Reads entries after the given IDs from streams of one slot; null when none (or timeout).
   * @example
   * ```ts
   * const batches = await rc.xread({ events: "$" }, { block: 5000 });
   * ``` */
  xread(
    streams: StreamIds,
    options?: XReadOptions,
  ): Out<M, StreamBatch<StreamEntry<D>>[] | null, this>;
  /** Creates a consumer group starting after `id` (`"$"`: new entries only).
   * @example
   * ```ts
   * await rc.xgroupCreate("events", "mailers", "$", { mkstream: true });
   * ``` */
  xgroupCreate(
    key: RedisKey,
    group: string,
    id: string,
    options?: XGroupCreateOptions,
  ): Out<M, "OK", this>;
  /** Reads entries for a consumer of a group; null when none (or timeout).
   * @example
   * ```ts
   * const batches = await rc.xreadgroup("mailers", "worker-1", { events: ">" }, { count: 10 });
   * ``` */
  xreadgroup(
    group: string,
    consumer: string,
    streams: StreamIds,
    options?: XReadGroupOptions,
  ): Out<M, StreamBatch<StreamEntry<D> | DeletedStreamEntry>[] | null, this>;
  /** Acknowledges entries; returns how many were pending.
   * @example
   * ```ts
   * await rc.xack("events", "mailers", id);
   * ``` */
  xack(key: RedisKey, group: string, ...ids: Variadic<string>): Out<M, number, this>;
  /** Returns pending entries of a group in a range.
   * @example
   * ```ts
   * const stuck = await rc.xpending("events", "mailers", { start: "-", end: "+", count: 10 });
   * ``` */
  xpending(
    key: RedisKey,
    group: string,
    options: XPendingRangeOptions,
  ): Out<M, PendingEntry[], this>;
  /** Returns a summary of a group's pending entries.
   * @example
   * ```ts
   * const { count } = await rc.xpending("events", "mailers");
   * ``` */
  xpending(key: RedisKey, group: string, options?: CallOptions): Out<M, PendingSummary, this>;
}

const isThreshold = (v: unknown): boolean =>
  typeof v === "string" || (typeof v === "number" && Number.isSafeInteger(v) && v >= 0);

const TRIM: _Kind = {
  expect:
    '{ strategy: "MAXLEN" | "MINID", threshold, approximate?, limit? } (limit needs approximate)',
  push: (v, out) => {
    if (!_isOptions(v) || (v.strategy !== "MAXLEN" && v.strategy !== "MINID")) return false;
    const { threshold, approximate = false, limit } = v;
    if (!isThreshold(threshold) || typeof approximate !== "boolean") return false;
    if (limit !== undefined && (!approximate || !Number.isSafeInteger(limit))) return false;
    out.push(v.strategy);
    if (approximate) out.push("~");
    out.push(String(threshold));
    if (typeof limit === "number") out.push("LIMIT", limit);
    return true;
  },
};

const STREAM_IDS: _Kind = {
  expect: "a non-empty record, Map or array of [key, id] pairs",
  push: (v, out) => {
    const entries: readonly unknown[][] = Array.isArray(v)
      ? v
      : v instanceof Map
      ? [...v]
      : _isOptions(v)
      ? Object.entries(v)
      : [];
    if (entries.length === 0) return false;
    const ids: string[] = [];
    const start = out.length;
    for (const e of entries) {
      const [key, id] = Array.isArray(e) ? e : [];
      if (typeof id !== "string" || !_KEY.push(key, out)) {
        out.length = start;
        return false;
      }
      ids.push(id);
    }
    out.push(...ids);
    return true;
  },
};

const READ_RULES: readonly _Rule[] = [["count", "COUNT", _POS], ["block", "BLOCK", _NAT]];
const GROUP = _arg("group", _STR);
const COUNT = _opts({ rules: [["count", "COUNT", _POS]] });

/** Builders of the stream commands. */
export const _STREAM_METHODS: { readonly [K in keyof StreamCommands<boolean, Mode>]: _Method } = {
  xadd: _cmd("XADD", [
    _K,
    _opts({ rules: [["nomkstream", "NOMKSTREAM"], ["trim", "", TRIM]] }),
    _arg("id", _STR),
    _arg("fields", _FIELD_VALUES),
  ], { reply: _textOrNull }),
  xlen: _cmd("XLEN", [_K]),
  xrange: _cmd("XRANGE", [_K, _arg("start", _STR), _arg("end", _STR), COUNT], {
    reply: _entries,
  }),
  xrevrange: _cmd("XREVRANGE", [_K, _arg("end", _STR), _arg("start", _STR), COUNT], {
    reply: _entries,
  }),
  xdel: _cmd("XDEL", [_K, _rest("ids", _STR)]),
  xtrim: _cmd("XTRIM", [_K, _arg("trim", TRIM)]),
  xread: _cmd(
    "XREAD",
    [_opts({ rules: READ_RULES }), _lit("STREAMS"), _arg("streams", STREAM_IDS)],
    {
      reply: _streams,
    },
  ),
  xgroupCreate: _cmd("XGROUP CREATE", [
    _K,
    GROUP,
    _arg("id", _STR),
    _opts({ rules: [["mkstream", "MKSTREAM"]] }),
  ]),
  xreadgroup: _cmd("XREADGROUP GROUP", [
    GROUP,
    _arg("consumer", _STR),
    _opts({ rules: [...READ_RULES, ["noack", "NOACK"]] }),
    _lit("STREAMS"),
    _arg("streams", STREAM_IDS),
  ], { reply: _streams }),
  xack: _cmd("XACK", [_K, GROUP, _rest("ids", _STR)]),
  xpending: _cmd("XPENDING", [
    _K,
    GROUP,
    _opts({
      rules: [
        ["idle", "IDLE", _NAT],
        ["start", "", _STR],
        ["end", "", _STR],
        ["count", "", _NAT],
        ["consumer", "", _STR],
      ],
      requires: [["start", "end"], ["end", "count"], ["count", "start"], ["idle", "start"], [
        "consumer",
        "start",
      ]],
    }),
  ], { reply: { when: "start", then: _pendingEntries, else: _pendingSummary } }),
};
