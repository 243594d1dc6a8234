/**
 * Set commands.
 * @module
 */
import type { CallOptions } from "../execution/call_options.ts";
import {
  _arg,
  _cmd,
  _countOpt,
  _CURSOR,
  _CURSOR_RULES,
  _K,
  _MEMBER,
  type _Method,
  _opts,
  _rest,
  type Bulk,
  type CountOptions,
  type CursorOptions,
  type Mode,
  type Out,
  type Variadic,
} from "./builder.ts";
import { _ARG, _INT, _KEY, _NAT } from "./argument_kinds.ts";
import { _array, _arrayIfSet, _scan } from "./replies.ts";
import type { RedisArgument, RedisKey } from "../types.ts";

/**
 * Set commands. Members come back as arrays (RESP3 sets are converted); `sismember()` stays an
 * integer (1/0), like ioredis. Multi-key commands need keys of one slot.
 *
 * @example
 * ```ts
 * import type { SetCommands } from "@x/rcluster";
 * type SMembers = SetCommands<true, "call">["smembers"];
 * ```
 */
export interface SetCommands<D extends boolean, M extends Mode> {
  /** Adds members; returns how many were new.
   * @example
   * ```ts
   * await rc.sadd("tags", "redis", "deno");
   * ``` */
  sadd(key: RedisKey, ...members: Variadic<RedisArgument>): Out<M, number, this>;
  /** Removes members; returns how many were there.
   * @example
   * ```ts
   * await rc.srem("tags", "old");
   * ``` */
  srem(key: RedisKey, ...members: Variadic<RedisArgument>): Out<M, number, this>;
  /** Returns all members.
   * @example
   * ```ts
   * const tags = await rc.smembers("tags");
   * ``` */
  smembers(key: RedisKey, options?: CallOptions): Out<M, Bulk<D>[], this>;
  /** Returns 1 when `member` is in the set, 0 otherwise.
   * @example
   * ```ts
   * if (await rc.sismember("tags", "deno")) console.log("tagged");
   * ``` */
  sismember(key: RedisKey, member: RedisArgument, options?: CallOptions): Out<M, number, this>;
  /** Returns 1 or 0 for each member, in order.
   * @example
   * ```ts
   * const [a, b] = await rc.smismember("tags", "deno", "node");
   * ``` */
  smismember(key: RedisKey, ...members: Variadic<RedisArgument>): Out<M, number[], this>;
  /** Returns the number of members.
   * @example
   * ```ts
   * const n = await rc.scard("tags");
   * ``` */
  scard(key: RedisKey, options?: CallOptions): Out<M, number, this>;
  /** Removes and returns up to `count` random members.
   * @example
   * ```ts
   * const winners = await rc.spop("entrants", { count: 3 });
   * ``` */
  spop(key: RedisKey, options: CountOptions & { count: number }): Out<M, Bulk<D>[], this>;
  /** Removes and returns a random member, or null.
   * @example
   * ```ts
   * const winner = await rc.spop("entrants");
   * ``` */
  spop(key: RedisKey, options?: CallOptions): Out<M, Bulk<D> | null, this>;
  /** Returns `count` random members (distinct when positive, maybe repeated when negative).
   * @example
   * ```ts
   * const sample = await rc.srandmember("tags", { count: 5 });
   * ``` */
  srandmember(key: RedisKey, options: CountOptions & { count: number }): Out<M, Bulk<D>[], this>;
  /** Returns a random member, or null.
   * @example
   * ```ts
   * const one = await rc.srandmember("tags");
   * ``` */
  srandmember(key: RedisKey, options?: CallOptions): Out<M, Bulk<D> | null, this>;
  /** Moves a member between sets of one slot; returns 1 when moved, 0 otherwise.
   * @example
   * ```ts
   * await rc.smove("{t}.todo", "{t}.done", "task1");
   * ``` */
  smove(
    source: RedisKey,
    destination: RedisKey,
    member: RedisArgument,
    options?: CallOptions,
  ): Out<M, number, this>;
  /** Returns the members common to all sets.
   * @example
   * ```ts
   * const both = await rc.sinter("{u}.a:tags", "{u}.b:tags");
   * ``` */
  sinter(...keys: Variadic<RedisKey>): Out<M, Bulk<D>[], this>;
  /** Returns the members of any of the sets.
   * @example
   * ```ts
   * const any = await rc.sunion("{u}.a:tags", "{u}.b:tags");
   * ``` */
  sunion(...keys: Variadic<RedisKey>): Out<M, Bulk<D>[], this>;
  /** Returns the members of the first set absent from the others.
   * @example
   * ```ts
   * const onlyA = await rc.sdiff("{u}.a:tags", "{u}.b:tags");
   * ``` */
  sdiff(...keys: Variadic<RedisKey>): Out<M, Bulk<D>[], this>;
  /** Stores `sinter()` of the keys in `destination`; returns its size.
   * @example
   * ```ts
   * await rc.sinterstore("{u}.common", "{u}.a:tags", "{u}.b:tags");
   * ``` */
  sinterstore(destination: RedisKey, ...keys: Variadic<RedisKey>): Out<M, number, this>;
  /** Stores `sunion()` of the keys in `destination`; returns its size.
   * @example
   * ```ts
   * await rc.sunionstore("{u}.all", "{u}.a:tags", "{u}.b:tags");
   * ``` */
  sunionstore(destination: RedisKey, ...keys: Variadic<RedisKey>): Out<M, number, this>;
  /** Stores `sdiff()` of the keys in `destination`; returns its size.
   * @example
   * ```ts
   * await rc.sdiffstore("{u}.onlyA", "{u}.a:tags", "{u}.b:tags");
   * ``` */
  sdiffstore(destination: RedisKey, ...keys: Variadic<RedisKey>): Out<M, number, this>;
  /** One SSCAN step: the next cursor (`"0"` when done) and members.
   * @example
   * ```ts
   * const [next, members] = await rc.sscan("tags", "0", { count: 100 });
   * ``` */
  sscan(
    key: RedisKey,
    cursor: string | number,
    options?: CursorOptions,
  ): Out<M, [cursor: string, members: Bulk<D>[]], this>;
}

const keys = _rest("keys", _KEY);
const members = _rest("members", _ARG);
const DESTINATION = _arg("destination", _KEY);
const AS_ARRAY = { reply: _array };

/** Builders of the set commands. */
export const _SET_METHODS: { readonly [K in keyof SetCommands<boolean, Mode>]: _Method } = {
  sadd: _cmd("SADD", [_K, members]),
  srem: _cmd("SREM", [_K, members]),
  smembers: _cmd("SMEMBERS", [_K], AS_ARRAY),
  sismember: _cmd("SISMEMBER", [_K, _MEMBER]),
  smismember: _cmd("SMISMEMBER", [_K, members]),
  scard: _cmd("SCARD", [_K]),
  spop: _cmd("SPOP", [_K, _countOpt(_NAT)], { reply: _arrayIfSet }),
  srandmember: _cmd("SRANDMEMBER", [_K, _countOpt(_INT)], { reply: _arrayIfSet }),
  smove: _cmd("SMOVE", [_arg("source", _KEY), DESTINATION, _MEMBER]),
  sinter: _cmd("SINTER", [keys], AS_ARRAY),
  sunion: _cmd("SUNION", [keys], AS_ARRAY),
  sdiff: _cmd("SDIFF", [keys], AS_ARRAY),
  sinterstore: _cmd("SINTERSTORE", [DESTINATION, keys]),
  sunionstore: _cmd("SUNIONSTORE", [DESTINATION, keys]),
  sdiffstore: _cmd("SDIFFSTORE", [DESTINATION, keys]),
  sscan: _cmd("SSCAN", [_K, _CURSOR, _opts({ rules: _CURSOR_RULES })], { reply: _scan(_array) }),
};
