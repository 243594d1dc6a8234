/**
 * Hash commands.
 * @module
 */
import type { CallOptions } from "../execution/call_options.ts";
import {
  _arg,
  _cmd,
  _CURSOR,
  _CURSOR_RULES,
  _FIELD,
  _K,
  type _Method,
  _opts,
  _rest,
  type Bulk,
  type CursorOptions,
  type FieldValues,
  type Mode,
  type Out,
  type Variadic,
} from "./builder.ts";
import { _ARG, _FIELD_VALUES, _INT, _isOptions, _NUM } from "./argument_kinds.ts";
import { _number, _pairList, _record, _scan } from "./replies.ts";
import type { RedisArgument, RedisKey } from "../types.ts";

/**
 * Options of `hrandfield()`.
 *
 * @example
 * ```ts
 * import type { HRandFieldOptions } from "@x/rcluster";
 * const opts: HRandFieldOptions = { count: 3, withValues: true };
 * ```
 */
export interface HRandFieldOptions extends CallOptions {
  /** How many fields; negative allows repeats. With a count the reply is a list.
   * @default undefined (one field) */
  count?: number;
  /** Return `[field, value]` pairs (`WITHVALUES`); needs `count`.
   * @default false */
  withValues?: boolean;
}

/**
 * Hash commands. `hgetall()` returns a record; `hexists()` stays an integer (1/0), like ioredis.
 *
 * @example
 * ```ts
 * import type { HashCommands } from "@x/rcluster";
 * type HGetAll = HashCommands<true, "call">["hgetall"];
 * ```
 */
export interface HashCommands<D extends boolean, M extends Mode> {
  /** Returns the value of a field, or null.
   * @example
   * ```ts
   * const name = await rc.hget("user:1", "name");
   * ``` */
  hget(key: RedisKey, field: RedisArgument, options?: CallOptions): Out<M, Bulk<D> | null, this>;
  /** Sets fields; returns how many were added (not updated).
   * @example
   * ```ts
   * await rc.hset("user:1", { name: "Ada", born: 1815 });
   * ``` */
  hset(key: RedisKey, fields: FieldValues, options?: CallOptions): Out<M, number, this>;
  /** Sets one field; returns 1 when it was added, 0 when updated.
   * @example
   * ```ts
   * await rc.hset("user:1", "name", "Ada");
   * ``` */
  hset(
    key: RedisKey,
    field: RedisArgument,
    value: RedisArgument,
    options?: CallOptions,
  ): Out<M, number, this>;
  /** Sets a field only when it does not exist; returns 1 when set, 0 otherwise.
   * @example
   * ```ts
   * await rc.hsetnx("user:1", "created", Date.now());
   * ``` */
  hsetnx(
    key: RedisKey,
    field: RedisArgument,
    value: RedisArgument,
    options?: CallOptions,
  ): Out<M, number, this>;
  /** Returns the values of fields, null for missing ones.
   * @example
   * ```ts
   * const [name, born] = await rc.hmget("user:1", "name", "born");
   * ``` */
  hmget(key: RedisKey, ...fields: Variadic<RedisArgument>): Out<M, (Bulk<D> | null)[], this>;
  /** Returns all fields and values as a record (`{}` when the key does not exist).
   * @example
   * ```ts
   * const user = await rc.hgetall("user:1");
   * ``` */
  hgetall(key: RedisKey, options?: CallOptions): Out<M, Record<string, Bulk<D>>, this>;
  /** Deletes fields; returns how many existed.
   * @example
   * ```ts
   * await rc.hdel("user:1", "tmp", "draft");
   * ``` */
  hdel(key: RedisKey, ...fields: Variadic<RedisArgument>): Out<M, number, this>;
  /** Returns 1 when the field exists, 0 otherwise.
   * @example
   * ```ts
   * if (await rc.hexists("user:1", "email")) console.log("has email");
   * ``` */
  hexists(key: RedisKey, field: RedisArgument, options?: CallOptions): Out<M, number, this>;
  /** Adds `increment` to an integer field; returns the new value.
   * @example
   * ```ts
   * await rc.hincrby("user:1", "logins", 1);
   * ``` */
  hincrby(
    key: RedisKey,
    field: RedisArgument,
    increment: number | bigint,
    options?: CallOptions,
  ): Out<M, number, this>;
  /** Adds `increment` to a float field; returns the new value as a number.
   * @example
   * ```ts
   * await rc.hincrbyfloat("account:1", "balance", 9.99);
   * ``` */
  hincrbyfloat(
    key: RedisKey,
    field: RedisArgument,
    increment: number,
    options?: CallOptions,
  ): Out<M, number, this>;
  /** Returns the field names.
   * @example
   * ```ts
   * const fields = await rc.hkeys("user:1");
   * ``` */
  hkeys(key: RedisKey, options?: CallOptions): Out<M, Bulk<D>[], this>;
  /** Returns the values.
   * @example
   * ```ts
   * const values = await rc.hvals("user:1");
   * ``` */
  hvals(key: RedisKey, options?: CallOptions): Out<M, Bulk<D>[], this>;
  /** Returns the number of fields.
   * @example
   * ```ts
   * const n = await rc.hlen("user:1");
   * ``` */
  hlen(key: RedisKey, options?: CallOptions): Out<M, number, this>;
  /** Returns the length in bytes of a field's value (0 when missing).
   * @example
   * ```ts
   * const n = await rc.hstrlen("user:1", "bio");
   * ``` */
  hstrlen(key: RedisKey, field: RedisArgument, options?: CallOptions): Out<M, number, this>;
  /** Returns random `[field, value]` pairs.
   * @example
   * ```ts
   * const pairs = await rc.hrandfield("user:1", { count: 2, withValues: true });
   * ``` */
  hrandfield(
    key: RedisKey,
    options: HRandFieldOptions & { count: number; withValues: true },
  ): Out<M, [field: Bulk<D>, value: Bulk<D>][], this>;
  /** Returns random field names.
   * @example
   * ```ts
   * const fields = await rc.hrandfield("user:1", { count: 2 });
   * ``` */
  hrandfield(
    key: RedisKey,
    options: HRandFieldOptions & { count: number },
  ): Out<M, Bulk<D>[], this>;
  /** Returns a random field name, or null when the key does not exist.
   * @example
   * ```ts
   * const field = await rc.hrandfield("user:1");
   * ``` */
  hrandfield(key: RedisKey, options?: CallOptions): Out<M, Bulk<D> | null, this>;
  /** One HSCAN step: the next cursor (`"0"` when done) and `[field, value]` pairs.
   * @example
   * ```ts
   * const [next, pairs] = await rc.hscan("user:1", "0", { match: "addr:*" });
   * ``` */
  hscan(
    key: RedisKey,
    cursor: string | number,
    options?: CursorOptions,
  ): Out<M, [cursor: string, entries: [field: Bulk<D>, value: Bulk<D>][]], this>;
}

const VALUE = _arg("value", _ARG);
const HSET_PAIRS = _cmd("HSET", [_K, _arg("fields", _FIELD_VALUES)]);
const HSET_ONE = _cmd("HSET", [_K, _FIELD, VALUE]);

/** Builders of the hash commands. */
export const _HASH_METHODS: { readonly [K in keyof HashCommands<boolean, Mode>]: _Method } = {
  hget: _cmd("HGET", [_K, _FIELD]),
  hset: (method) => {
    const pairs = HSET_PAIRS(method);
    const one = HSET_ONE(method);
    const isPairs = (v: unknown): boolean => _isOptions(v) || v instanceof Map || Array.isArray(v);
    return (args) => isPairs(args[1]) ? pairs(args) : one(args);
  },
  hsetnx: _cmd("HSETNX", [_K, _FIELD, VALUE]),
  hmget: _cmd("HMGET", [_K, _rest("fields", _ARG)]),
  hgetall: _cmd("HGETALL", [_K], { reply: _record }),
  hdel: _cmd("HDEL", [_K, _rest("fields", _ARG)]),
  hexists: _cmd("HEXISTS", [_K, _FIELD]),
  hincrby: _cmd("HINCRBY", [_K, _FIELD, _arg("increment", _INT)]),
  hincrbyfloat: _cmd("HINCRBYFLOAT", [_K, _FIELD, _arg("increment", _NUM)], { reply: _number }),
  hkeys: _cmd("HKEYS", [_K]),
  hvals: _cmd("HVALS", [_K]),
  hlen: _cmd("HLEN", [_K]),
  hstrlen: _cmd("HSTRLEN", [_K, _FIELD]),
  hrandfield: _cmd("HRANDFIELD", [
    _K,
    _opts({
      rules: [["count", "", _INT], ["withValues", "WITHVALUES"]],
      requires: [["withValues", "count"]],
    }),
  ], { reply: { when: "withValues", then: _pairList } }),
  hscan: _cmd("HSCAN", [_K, _CURSOR, _opts({ rules: _CURSOR_RULES })], {
    reply: _scan(_pairList),
  }),
};
