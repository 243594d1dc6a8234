/**
 * List commands.
 * @module
 */
import type { CallOptions } from "../execution/call_options.ts";
import {
  _arg,
  _cmd,
  _countOpt,
  _K,
  type _Method,
  _opts,
  _rest,
  type Bulk,
  type CountOptions,
  type Mode,
  type Out,
  type Variadic,
} from "./builder.ts";
import { _ARG, _INT, _KEY, _KEYS, _NAT, _oneOf, _SECONDS } from "./argument_kinds.ts";
import type { RedisArgument, RedisKey } from "../types.ts";

/**
 * Options of `lpos()`.
 *
 * @example
 * ```ts
 * import type { LPosOptions } from "@x/rcluster";
 * const opts: LPosOptions = { rank: -1, maxlen: 1000 };
 * ```
 */
export interface LPosOptions extends CallOptions {
  /** Which match to return: 2 is the second from the head, -1 the last (`RANK`).
   * @default 1 */
  rank?: number;
  /** Return up to this many positions, 0 for all (`COUNT`); the reply is then a list.
   * @default undefined (one position) */
  count?: number;
  /** Compare at most this many elements (`MAXLEN`).
   * @default 0 (the whole list) */
  maxlen?: number;
}

/**
 * A list end, for `lmove()` and `blmove()`.
 *
 * @example
 * ```ts
 * import type { ListEnd } from "@x/rcluster";
 * const from: ListEnd = "LEFT";
 * ```
 */
export type ListEnd = "LEFT" | "RIGHT";

/**
 * List commands. Blocking ones (`blpop`, `brpop`, `blmove`) take a timeout in seconds (0: forever).
 *
 * @example
 * ```ts
 * import type { ListCommands } from "@x/rcluster";
 * type LRange = ListCommands<true, "call">["lrange"];
 * ```
 */
export interface ListCommands<D extends boolean, M extends Mode> {
  /** Prepends elements (the last given ends up first); returns the new length.
   * @example
   * ```ts
   * await rc.lpush("queue", "job1", "job2");
   * ``` */
  lpush(key: RedisKey, ...elements: Variadic<RedisArgument>): Out<M, number, this>;
  /** Appends elements; returns the new length.
   * @example
   * ```ts
   * await rc.rpush("queue", "job1", "job2");
   * ``` */
  rpush(key: RedisKey, ...elements: Variadic<RedisArgument>): Out<M, number, this>;
  /** Removes and returns up to `count` elements from the head; null when the key is missing.
   * @example
   * ```ts
   * const jobs = await rc.lpop("queue", { count: 10 });
   * ``` */
  lpop(key: RedisKey, options: CountOptions & { count: number }): Out<M, Bulk<D>[] | null, this>;
  /** Removes and returns the first element, or null.
   * @example
   * ```ts
   * const job = await rc.lpop("queue");
   * ``` */
  lpop(key: RedisKey, options?: CallOptions): Out<M, Bulk<D> | null, this>;
  /** Removes and returns up to `count` elements from the tail; null when the key is missing.
   * @example
   * ```ts
   * const jobs = await rc.rpop("queue", { count: 10 });
   * ``` */
  rpop(key: RedisKey, options: CountOptions & { count: number }): Out<M, Bulk<D>[] | null, this>;
  /** Removes and returns the last element, or null.
   * @example
   * ```ts
   * const job = await rc.rpop("queue");
   * ``` */
  rpop(key: RedisKey, options?: CallOptions): Out<M, Bulk<D> | null, this>;
  /** Returns the length of the list (0 when missing).
   * @example
   * ```ts
   * const n = await rc.llen("queue");
   * ``` */
  llen(key: RedisKey, options?: CallOptions): Out<M, number, this>;
  /** Returns the elements from index `start` to `stop` inclusive (negative from the end).
   * @example
   * ```ts
   * const all = await rc.lrange("queue", 0, -1);
   * ``` */
  lrange(
    key: RedisKey,
    start: number,
    stop: number,
    options?: CallOptions,
  ): Out<M, Bulk<D>[], this>;
  /** Returns the element at `index`, or null.
   * @example
   * ```ts
   * const last = await rc.lindex("queue", -1);
   * ``` */
  lindex(key: RedisKey, index: number, options?: CallOptions): Out<M, Bulk<D> | null, this>;
  /** Replaces the element at `index`.
   * @example
   * ```ts
   * await rc.lset("queue", 0, "urgent");
   * ``` */
  lset(
    key: RedisKey,
    index: number,
    element: RedisArgument,
    options?: CallOptions,
  ): Out<M, "OK", this>;
  /** Inserts `element` before or after `pivot`; returns the new length, -1 when no pivot.
   * @example
   * ```ts
   * await rc.linsert("queue", "BEFORE", "job2", "job1.5");
   * ``` */
  linsert(
    key: RedisKey,
    where: "BEFORE" | "AFTER",
    pivot: RedisArgument,
    element: RedisArgument,
    options?: CallOptions,
  ): Out<M, number, this>;
  /** Removes `count` occurrences (0: all, negative: from the tail); returns how many.
   * @example
   * ```ts
   * await rc.lrem("queue", 0, "cancelled");
   * ``` */
  lrem(
    key: RedisKey,
    count: number,
    element: RedisArgument,
    options?: CallOptions,
  ): Out<M, number, this>;
  /** Keeps only the elements from `start` to `stop`.
   * @example
   * ```ts
   * await rc.ltrim("recent", 0, 99);
   * ``` */
  ltrim(key: RedisKey, start: number, stop: number, options?: CallOptions): Out<M, "OK", this>;
  /** Returns the positions of matching elements.
   * @example
   * ```ts
   * const at = await rc.lpos("queue", "job1", { count: 0 });
   * ``` */
  lpos(
    key: RedisKey,
    element: RedisArgument,
    options: LPosOptions & { count: number },
  ): Out<M, number[], this>;
  /** Returns the position of the first match (or the `rank`-th), or null.
   * @example
   * ```ts
   * const at = await rc.lpos("queue", "job1");
   * ``` */
  lpos(key: RedisKey, element: RedisArgument, options?: LPosOptions): Out<M, number | null, this>;
  /** Moves an element between lists of one slot; returns it, or null when `source` is empty.
   * @example
   * ```ts
   * const job = await rc.lmove("{q}.todo", "{q}.doing", "LEFT", "RIGHT");
   * ``` */
  lmove(
    source: RedisKey,
    destination: RedisKey,
    from: ListEnd,
    to: ListEnd,
    options?: CallOptions,
  ): Out<M, Bulk<D> | null, this>;
  /** Blocks until a list (of one slot) has an element; returns `[key, element]` or null.
   * @example
   * ```ts
   * const popped = await rc.blpop(["{q}.high", "{q}.low"], 5);
   * ``` */
  blpop(
    keys: RedisKey | readonly RedisKey[],
    timeout: number,
    options?: CallOptions,
  ): Out<M, [key: Bulk<D>, element: Bulk<D>] | null, this>;
  /** Like `blpop()`, popping from the tail.
   * @example
   * ```ts
   * const popped = await rc.brpop("queue", 0);
   * ``` */
  brpop(
    keys: RedisKey | readonly RedisKey[],
    timeout: number,
    options?: CallOptions,
  ): Out<M, [key: Bulk<D>, element: Bulk<D>] | null, this>;
  /** Like `lmove()`, blocking up to `timeout` seconds while `source` is empty.
   * @example
   * ```ts
   * const job = await rc.blmove("{q}.todo", "{q}.doing", "LEFT", "RIGHT", 5);
   * ``` */
  blmove(
    source: RedisKey,
    destination: RedisKey,
    from: ListEnd,
    to: ListEnd,
    timeout: number,
    options?: CallOptions,
  ): Out<M, Bulk<D> | null, this>;
}

const ELEMENT = _arg("element", _ARG);
const START_STOP = [_arg("start", _INT), _arg("stop", _INT)];
const END = _oneOf("LEFT", "RIGHT");
const MOVE = [_arg("source", _KEY), _arg("destination", _KEY), _arg("from", END), _arg("to", END)];
const TIMEOUT = _arg("timeout", _SECONDS);

/** Builders of the list commands. */
export const _LIST_METHODS: { readonly [K in keyof ListCommands<boolean, Mode>]: _Method } = {
  lpush: _cmd("LPUSH", [_K, _rest("elements", _ARG)]),
  rpush: _cmd("RPUSH", [_K, _rest("elements", _ARG)]),
  lpop: _cmd("LPOP", [_K, _countOpt(_NAT)]),
  rpop: _cmd("RPOP", [_K, _countOpt(_NAT)]),
  llen: _cmd("LLEN", [_K]),
  lrange: _cmd("LRANGE", [_K, ...START_STOP]),
  lindex: _cmd("LINDEX", [_K, _arg("index", _INT)]),
  lset: _cmd("LSET", [_K, _arg("index", _INT), ELEMENT]),
  linsert: _cmd("LINSERT", [
    _K,
    _arg("where", _oneOf("BEFORE", "AFTER")),
    _arg("pivot", _ARG),
    ELEMENT,
  ]),
  lrem: _cmd("LREM", [_K, _arg("count", _INT), ELEMENT]),
  ltrim: _cmd("LTRIM", [_K, ...START_STOP]),
  lpos: _cmd("LPOS", [
    _K,
    ELEMENT,
    _opts({
      rules: [["rank", "RANK", _INT], ["count", "COUNT", _NAT], ["maxlen", "MAXLEN", _NAT]],
    }),
  ], { check: (_, o) => o?.rank === 0 ? "options.rank must not be 0" : undefined }),
  lmove: _cmd("LMOVE", MOVE),
  blpop: _cmd("BLPOP", [_arg("keys", _KEYS), TIMEOUT]),
  brpop: _cmd("BRPOP", [_arg("keys", _KEYS), TIMEOUT]),
  blmove: _cmd("BLMOVE", [...MOVE, TIMEOUT]),
};
