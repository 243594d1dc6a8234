/**
 * Option and result types of the sorted-set commands.
 * @module
 */
import type { CallOptions } from "../execution/call_options.ts";
import type { Bulk, RangeLimit } from "./types.ts";
import type { RedisArgument } from "../types.ts";

/**
 * A member with its score, as `withScores` queries, pops and `zscan()` return them.
 *
 * @example
 * ```ts
 * import type { ScoredMember } from "@x/rcluster";
 * const top: ScoredMember<true> = { member: "ada", score: 42 };
 * ```
 */
export interface ScoredMember<D extends boolean> {
  /** The member. */
  member: Bulk<D>;
  /** Its score (`Infinity` / `-Infinity` for `inf` / `-inf`). */
  score: number;
}

/**
 * Members to add: `{ member: score }`, a `Map` of member to score, or `[score, member]` pairs
 * (the order redis-cli uses).
 *
 * @example
 * ```ts
 * import type { ZAddMembers } from "@x/rcluster";
 * const m: ZAddMembers = [[1, "ada"], [2, "alan"]];
 * ```
 */
export type ZAddMembers =
  | Readonly<Record<string, number>>
  | ReadonlyMap<RedisArgument, number>
  | readonly (readonly [score: number, member: RedisArgument])[];

/**
 * A score range bound: a number (infinities allowed) or a string such as `"(1.5"` (exclusive),
 * `"-inf"`; for lexicographic ranges `"[a"`, `"(a"`, `"-"` or `"+"`.
 *
 * @example
 * ```ts
 * import type { ScoreBound } from "@x/rcluster";
 * const min: ScoreBound = "(10";
 * ```
 */
export type ScoreBound = number | string;

/**
 * Options of `zadd()`.
 *
 * @example
 * ```ts
 * import type { ZAddOptions } from "@x/rcluster";
 * const opts: ZAddOptions = { gt: true, ch: true };
 * ```
 */
export interface ZAddOptions extends CallOptions {
  /** Only add new members (`NX`).
   * @default false */
  nx?: boolean;
  /** Only update existing members (`XX`).
   * @default false */
  xx?: boolean;
  /** Only update when the new score is greater (`GT`).
   * @default false */
  gt?: boolean;
  /** Only update when the new score is less (`LT`).
   * @default false */
  lt?: boolean;
  /** Count changed members, not only added ones (`CH`).
   * @default false */
  ch?: boolean;
  /** Increment the score of the single member given; returns the new score (`INCR`).
   * @default false */
  incr?: boolean;
}

/**
 * Options of `zrangebyscore()`.
 *
 * @example
 * ```ts
 * import type { ZRangeByScoreOptions } from "@x/rcluster";
 * const opts: ZRangeByScoreOptions = { withScores: true, limit: { offset: 0, count: 10 } };
 * ```
 */
export interface ZRangeByScoreOptions extends CallOptions {
  /** Return `{ member, score }` objects (`WITHSCORES`).
   * @default false */
  withScores?: boolean;
  /** Page of the result (`LIMIT offset count`).
   * @default undefined (all) */
  limit?: RangeLimit;
}

/**
 * Options of `zrange()`.
 *
 * @example
 * ```ts
 * import type { ZRangeOptions } from "@x/rcluster";
 * const opts: ZRangeOptions = { byScore: true, rev: true, limit: { offset: 0, count: 10 } };
 * ```
 */
export interface ZRangeOptions extends ZRangeByScoreOptions {
  /** `start`/`stop` are scores, not ranks (`BYSCORE`); `limit` needs this or `byLex`.
   * @default false */
  byScore?: boolean;
  /** `start`/`stop` are lexicographic bounds such as `"[a"` (`BYLEX`); excludes `withScores`.
   * @default false */
  byLex?: boolean;
  /** Highest first; with `byScore`/`byLex`, give `start` as the high bound (`REV`).
   * @default false */
  rev?: boolean;
}

/**
 * Options of `zunionstore()` and `zinterstore()`.
 *
 * @example
 * ```ts
 * import type { ZStoreOptions } from "@x/rcluster";
 * const opts: ZStoreOptions = { weights: [1, 2], aggregate: "MAX" };
 * ```
 */
export interface ZStoreOptions extends CallOptions {
  /** A multiplier per key, in key order (`WEIGHTS`).
   * @default undefined (all 1) */
  weights?: readonly number[];
  /** How scores of a member present in several keys combine (`AGGREGATE`).
   * @default "SUM" */
  aggregate?: "SUM" | "MIN" | "MAX";
}
