/**
 * Option and result types of the stream commands.
 * @module
 */
import type { CallOptions } from "../execution/call_options.ts";
import type { Bulk } from "./types.ts";
import type { RedisKey } from "../types.ts";

/**
 * A stream entry: its ID and fields (a repeated field keeps its last value).
 *
 * @example
 * ```ts
 * import type { StreamEntry } from "@x/rcluster";
 * const e: StreamEntry<true> = { id: "1700000000000-0", fields: { temp: "21" } };
 * ```
 */
export interface StreamEntry<D extends boolean> {
  /** The entry ID, e.g. `"1700000000000-0"`. */
  id: string;
  /** The entry's fields and values. */
  fields: Record<string, Bulk<D>>;
}

/**
 * A pending entry that was deleted after delivery, as `xreadgroup()` returns it from history.
 *
 * @example
 * ```ts
 * import type { DeletedStreamEntry } from "@x/rcluster";
 * const e: DeletedStreamEntry = { id: "1700000000000-0", fields: null };
 * ```
 */
export interface DeletedStreamEntry {
  /** The entry ID. */
  id: string;
  /** Always null: the entry no longer exists. */
  fields: null;
}

/**
 * The entries read from one stream by `xread()` / `xreadgroup()`.
 *
 * @example
 * ```ts
 * import type { StreamBatch, StreamEntry } from "@x/rcluster";
 * const b: StreamBatch<StreamEntry<true>> = { key: "events", entries: [] };
 * ```
 */
export interface StreamBatch<E> {
  /** The stream's key, as text. */
  key: string;
  /** Its entries, oldest first. */
  entries: E[];
}

/**
 * Stream IDs to read after, per stream key: a record, a `Map` or `[key, id]` pairs. `"$"` means
 * new entries only, `">"` (groups) entries never delivered to the group.
 *
 * @example
 * ```ts
 * import type { StreamIds } from "@x/rcluster";
 * const ids: StreamIds = { "{s}.a": "0", "{s}.b": "$" };
 * ```
 */
export type StreamIds =
  | Readonly<Record<string, string>>
  | ReadonlyMap<RedisKey, string>
  | readonly (readonly [key: RedisKey, id: string])[];

/**
 * How to trim a stream (`MAXLEN` / `MINID`).
 *
 * @example
 * ```ts
 * import type { StreamTrim } from "@x/rcluster";
 * const trim: StreamTrim = { strategy: "MAXLEN", threshold: 1000, approximate: true };
 * ```
 */
export interface StreamTrim {
  /** Trim by length (`MAXLEN`) or by lowest ID kept (`MINID`). */
  strategy: "MAXLEN" | "MINID";
  /** The length, or the lowest ID to keep. */
  threshold: number | string;
  /** Trim lazily, at whole nodes (`~`): much cheaper.
   * @default false */
  approximate?: boolean;
  /** Evict at most this many entries (`LIMIT`); needs `approximate`.
   * @default undefined (the server's default) */
  limit?: number;
}

/**
 * Options of `xadd()`.
 *
 * @example
 * ```ts
 * import type { XAddOptions } from "@x/rcluster";
 * const opts: XAddOptions = { trim: { strategy: "MAXLEN", threshold: 1000, approximate: true } };
 * ```
 */
export interface XAddOptions extends CallOptions {
  /** Do not create the stream when missing; the reply is then null (`NOMKSTREAM`).
   * @default false */
  nomkstream?: boolean;
  /** Trim the stream while adding.
   * @default undefined (no trimming) */
  trim?: StreamTrim;
}

/**
 * Options of `xread()`.
 *
 * @example
 * ```ts
 * import type { XReadOptions } from "@x/rcluster";
 * const opts: XReadOptions = { count: 100, block: 5000 };
 * ```
 */
export interface XReadOptions extends CallOptions {
  /** At most this many entries per stream (`COUNT`).
   * @default undefined (all) */
  count?: number;
  /** Wait up to this many milliseconds for entries, 0 forever (`BLOCK`); null on timeout.
   * @default undefined (do not block) */
  block?: number;
}

/**
 * Options of `xreadgroup()`.
 *
 * @example
 * ```ts
 * import type { XReadGroupOptions } from "@x/rcluster";
 * const opts: XReadGroupOptions = { count: 10, block: 2000, noack: true };
 * ```
 */
export interface XReadGroupOptions extends XReadOptions {
  /** Do not add the entries to the pending list (`NOACK`).
   * @default false */
  noack?: boolean;
}

/**
 * Options of `xgroupCreate()`.
 *
 * @example
 * ```ts
 * import type { XGroupCreateOptions } from "@x/rcluster";
 * const opts: XGroupCreateOptions = { mkstream: true };
 * ```
 */
export interface XGroupCreateOptions extends CallOptions {
  /** Create the stream when missing (`MKSTREAM`).
   * @default false */
  mkstream?: boolean;
}

/**
 * The extended form of `xpending()`: a range of pending entries.
 *
 * @example
 * ```ts
 * import type { XPendingRangeOptions } from "@x/rcluster";
 * const opts: XPendingRangeOptions = { start: "-", end: "+", count: 10, idle: 60_000 };
 * ```
 */
export interface XPendingRangeOptions extends CallOptions {
  /** Lowest ID, `"-"` for the first. */
  start: string;
  /** Highest ID, `"+"` for the last. */
  end: string;
  /** At most this many entries. */
  count: number;
  /** Only entries of this consumer.
   * @default undefined (all consumers) */
  consumer?: string;
  /** Only entries idle at least this many milliseconds (`IDLE`).
   * @default undefined */
  idle?: number;
}

/**
 * The summary form of `xpending()`.
 *
 * @example
 * ```ts
 * import type { PendingSummary } from "@x/rcluster";
 * const s: PendingSummary = { count: 0, smallest: null, greatest: null, consumers: [] };
 * ```
 */
export interface PendingSummary {
  /** Pending entries in the group. */
  count: number;
  /** Lowest pending ID, null when none. */
  smallest: string | null;
  /** Highest pending ID, null when none. */
  greatest: string | null;
  /** Consumers with pending entries and how many each. */
  consumers: { name: string; count: number }[];
}

/**
 * One entry of the extended form of `xpending()`.
 *
 * @example
 * ```ts
 * import type { PendingEntry } from "@x/rcluster";
 * const p: PendingEntry = { id: "1-0", consumer: "c1", idleMs: 500, deliveries: 1 };
 * ```
 */
export interface PendingEntry {
  /** The entry ID. */
  id: string;
  /** The consumer it was delivered to. */
  consumer: string;
  /** Milliseconds since its last delivery. */
  idleMs: number;
  /** How many times it was delivered. */
  deliveries: number;
}
