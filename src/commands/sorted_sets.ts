/**
 * Sorted-set commands.
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
import {
  _ARG,
  _BOUND,
  _counted,
  _INT,
  _isOptions,
  _KEY,
  _LIMIT,
  _list,
  _NAT,
  _NUM,
  _oneOf,
  _pairs,
  _SCORE,
} from "./argument_kinds.ts";
import { _number, _numberOrNull, _numbers, _scan, _scored } from "./replies.ts";
import type {
  ScoreBound,
  ScoredMember,
  ZAddMembers,
  ZAddOptions,
  ZRangeByScoreOptions,
  ZRangeOptions,
  ZStoreOptions,
} from "./sorted_sets_types.ts";
import type { RedisArgument, RedisKey } from "../types.ts";

/**
 * Sorted-set commands. Scores come back as numbers whatever the protocol.
 *
 * @example
 * ```ts
 * import type { SortedSetCommands } from "@x/rcluster";
 * type ZScore = SortedSetCommands<true, "call">["zscore"];
 * ```
 */
export interface SortedSetCommands<D extends boolean, M extends Mode> {
  /** Adds or updates members (`incr`: one member); returns its new score, or null when not updated.
   * @example
   * ```ts
   * const score = await rc.zadd("board", { ada: 5 }, { incr: true });
   * ``` */
  zadd(
    key: RedisKey,
    members: ZAddMembers,
    options: ZAddOptions & { incr: true },
  ): Out<M, number | null, this>;
  /** Adds or updates members; returns how many were added (changed, with `ch`).
   * @example
   * ```ts
   * await rc.zadd("board", { ada: 10, alan: 7 });
   * ``` */
  zadd(key: RedisKey, members: ZAddMembers, options?: ZAddOptions): Out<M, number, this>;
  /** Removes members; returns how many were there.
   * @example
   * ```ts
   * await rc.zrem("board", "alan");
   * ``` */
  zrem(key: RedisKey, ...members: Variadic<RedisArgument>): Out<M, number, this>;
  /** Returns the score of a member, or null.
   * @example
   * ```ts
   * const s = await rc.zscore("board", "ada");
   * ``` */
  zscore(key: RedisKey, member: RedisArgument, options?: CallOptions): Out<M, number | null, this>;
  /** Adds `increment` to a member's score (adding the member); returns the new score.
   * @example
   * ```ts
   * const s = await rc.zincrby("board", 1, "ada");
   * ``` */
  zincrby(
    key: RedisKey,
    increment: number,
    member: RedisArgument,
    options?: CallOptions,
  ): Out<M, number, this>;
  /** Returns the number of members.
   * @example
   * ```ts
   * const n = await rc.zcard("board");
   * ``` */
  zcard(key: RedisKey, options?: CallOptions): Out<M, number, this>;
  /** Counts members with a score between `min` and `max`.
   * @example
   * ```ts
   * const n = await rc.zcount("board", "(5", Infinity);
   * ``` */
  zcount(
    key: RedisKey,
    min: ScoreBound,
    max: ScoreBound,
    options?: CallOptions,
  ): Out<M, number, this>;
  /** Returns members with their scores, by rank, score or lex range.
   * @example
   * ```ts
   * const top = await rc.zrange("board", 0, 9, { rev: true, withScores: true });
   * ``` */
  zrange(
    key: RedisKey,
    start: ScoreBound,
    stop: ScoreBound,
    options: ZRangeOptions & { withScores: true },
  ): Out<M, ScoredMember<D>[], this>;
  /** Returns members by rank (default), score (`byScore`) or lex (`byLex`) range.
   * @example
   * ```ts
   * const names = await rc.zrange("board", 0, -1);
   * ``` */
  zrange(
    key: RedisKey,
    start: ScoreBound,
    stop: ScoreBound,
    options?: ZRangeOptions,
  ): Out<M, Bulk<D>[], this>;
  /** Returns members with their scores, for scores between `min` and `max`.
   * @example
   * ```ts
   * const hits = await rc.zrangebyscore("board", 5, "+inf", { withScores: true });
   * ``` */
  zrangebyscore(
    key: RedisKey,
    min: ScoreBound,
    max: ScoreBound,
    options: ZRangeByScoreOptions & { withScores: true },
  ): Out<M, ScoredMember<D>[], this>;
  /** Returns the members with a score between `min` and `max`.
   * @example
   * ```ts
   * const names = await rc.zrangebyscore("board", 5, "+inf");
   * ``` */
  zrangebyscore(
    key: RedisKey,
    min: ScoreBound,
    max: ScoreBound,
    options?: ZRangeByScoreOptions,
  ): Out<M, Bulk<D>[], this>;
  /** Returns the rank of a member, lowest score first, or null.
   * @example
   * ```ts
   * const rank = await rc.zrank("board", "ada");
   * ``` */
  zrank(key: RedisKey, member: RedisArgument, options?: CallOptions): Out<M, number | null, this>;
  /** Returns the rank of a member, highest score first, or null.
   * @example
   * ```ts
   * const place = await rc.zrevrank("board", "ada");
   * ``` */
  zrevrank(
    key: RedisKey,
    member: RedisArgument,
    options?: CallOptions,
  ): Out<M, number | null, this>;
  /** Returns the scores of members, null for missing ones.
   * @example
   * ```ts
   * const [a, b] = await rc.zmscore("board", "ada", "alan");
   * ``` */
  zmscore(key: RedisKey, ...members: Variadic<RedisArgument>): Out<M, (number | null)[], this>;
  /** Removes and returns the members with the lowest scores (one unless `count`).
   * @example
   * ```ts
   * const [next] = await rc.zpopmin("jobs");
   * ``` */
  zpopmin(key: RedisKey, options?: CountOptions): Out<M, ScoredMember<D>[], this>;
  /** Removes and returns the members with the highest scores (one unless `count`).
   * @example
   * ```ts
   * const best = await rc.zpopmax("bids", { count: 3 });
   * ``` */
  zpopmax(key: RedisKey, options?: CountOptions): Out<M, ScoredMember<D>[], this>;
  /** Removes members with a score between `min` and `max`; returns how many.
   * @example
   * ```ts
   * await rc.zremrangebyscore("events", "-inf", Date.now() - 86_400_000);
   * ``` */
  zremrangebyscore(
    key: RedisKey,
    min: ScoreBound,
    max: ScoreBound,
    options?: CallOptions,
  ): Out<M, number, this>;
  /** Removes members ranked `start` to `stop`; returns how many.
   * @example
   * ```ts
   * await rc.zremrangebyrank("board", 0, -101);
   * ``` */
  zremrangebyrank(
    key: RedisKey,
    start: number,
    stop: number,
    options?: CallOptions,
  ): Out<M, number, this>;
  /** Stores the union of sorted sets of one slot in `destination`; returns its size.
   * @example
   * ```ts
   * await rc.zunionstore("{b}.all", ["{b}.mon", "{b}.tue"], { aggregate: "MAX" });
   * ``` */
  zunionstore(
    destination: RedisKey,
    keys: readonly RedisKey[],
    options?: ZStoreOptions,
  ): Out<M, number, this>;
  /** Stores the intersection of sorted sets of one slot in `destination`; returns its size.
   * @example
   * ```ts
   * await rc.zinterstore("{b}.both", ["{b}.mon", "{b}.tue"], { weights: [1, 2] });
   * ``` */
  zinterstore(
    destination: RedisKey,
    keys: readonly RedisKey[],
    options?: ZStoreOptions,
  ): Out<M, number, this>;
  /** One ZSCAN step: the next cursor (`"0"` when done) and scored members.
   * @example
   * ```ts
   * const [next, members] = await rc.zscan("board", "0");
   * ``` */
  zscan(
    key: RedisKey,
    cursor: string | number,
    options?: CursorOptions,
  ): Out<M, [cursor: string, members: ScoredMember<D>[]], this>;
}

const MEMBERS = _pairs("a non-empty record, Map of member to score, or array of [score, member]", {
  first: _SCORE,
  second: _ARG,
  swap: true,
});
const BOUNDS = [_arg("min", _BOUND), _arg("max", _BOUND)];
const RANGE = [_arg("start", _BOUND), _arg("stop", _BOUND)];
const WITH_SCORES = { when: "withScores", then: _scored };
const count = (v: unknown): number =>
  Array.isArray(v)
    ? v.length
    : v instanceof Map
    ? v.size
    : _isOptions(v)
    ? Object.keys(v).length
    : 0;
const store = (command: string): _Method =>
  _cmd(command, [
    _arg("destination", _KEY),
    _arg("keys", _counted(1)),
    _opts({
      rules: [
        ["weights", "WEIGHTS", _list(_NUM, "a non-empty array of finite numbers")],
        ["aggregate", "AGGREGATE", _oneOf("SUM", "MIN", "MAX")],
      ],
    }),
  ], {
    check: (args, o) =>
      Array.isArray(o?.weights) && o.weights.length !== count(args[1])
        ? "options.weights must hold one weight per key"
        : undefined,
  });

/** Builders of the sorted-set commands. */
export const _SORTED_SET_METHODS: {
  readonly [K in keyof SortedSetCommands<boolean, Mode>]: _Method;
} = {
  zadd: _cmd("ZADD", [
    _K,
    _opts({
      rules: [["nx", "NX"], ["xx", "XX"], ["gt", "GT"], ["lt", "LT"], ["ch", "CH"], [
        "incr",
        "INCR",
      ]],
      exclusive: [["nx", "xx"], ["gt", "lt"], ["nx", "gt"], ["nx", "lt"]],
    }),
    _arg("members", MEMBERS),
  ], {
    reply: { when: "incr", then: _numberOrNull },
    check: (args, o) =>
      o?.incr === true && count(args[1]) !== 1
        ? "options.incr takes exactly one member"
        : undefined,
  }),
  zrem: _cmd("ZREM", [_K, _rest("members", _ARG)]),
  zscore: _cmd("ZSCORE", [_K, _MEMBER], { reply: _numberOrNull }),
  zincrby: _cmd("ZINCRBY", [_K, _arg("increment", _NUM), _MEMBER], { reply: _number }),
  zcard: _cmd("ZCARD", [_K]),
  zcount: _cmd("ZCOUNT", [_K, ...BOUNDS]),
  zrange: _cmd("ZRANGE", [
    _K,
    ...RANGE,
    _opts({
      rules: [
        ["byScore", "BYSCORE"],
        ["byLex", "BYLEX"],
        ["rev", "REV"],
        ["limit", "LIMIT", _LIMIT],
        ["withScores", "WITHSCORES"],
      ],
      exclusive: [["byScore", "byLex"], ["byLex", "withScores"]],
      requires: [["limit", "byScore", "byLex"]],
    }),
  ], { reply: WITH_SCORES }),
  zrangebyscore: _cmd("ZRANGEBYSCORE", [
    _K,
    ...BOUNDS,
    _opts({ rules: [["withScores", "WITHSCORES"], ["limit", "LIMIT", _LIMIT]] }),
  ], { reply: WITH_SCORES }),
  zrank: _cmd("ZRANK", [_K, _MEMBER]),
  zrevrank: _cmd("ZREVRANK", [_K, _MEMBER]),
  zmscore: _cmd("ZMSCORE", [_K, _rest("members", _ARG)], { reply: _numbers }),
  zpopmin: _cmd("ZPOPMIN", [_K, _countOpt(_NAT)], { reply: _scored }),
  zpopmax: _cmd("ZPOPMAX", [_K, _countOpt(_NAT)], { reply: _scored }),
  zremrangebyscore: _cmd("ZREMRANGEBYSCORE", [_K, ...BOUNDS]),
  zremrangebyrank: _cmd("ZREMRANGEBYRANK", [_K, _arg("start", _INT), _arg("stop", _INT)]),
  zunionstore: store("ZUNIONSTORE"),
  zinterstore: store("ZINTERSTORE"),
  zscan: _cmd("ZSCAN", [_K, _CURSOR, _opts({ rules: _CURSOR_RULES })], {
    reply: _scan(_scored),
  }),
};
