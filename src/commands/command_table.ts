/**
 * The typed command surface: every method declared once (`RedisCommands`) and built once
 * (`COMMAND_TABLE`). The client installs the builders as methods that send, the pipeline as
 * methods that queue.
 * @module
 */
import type { _Method } from "./builder.ts";
import type { BuiltCommand, Mode } from "./types.ts";
import { _HASH_METHODS, type HashCommands } from "./hashes.ts";
import { _KEY_METHODS, type KeyCommands } from "./keys.ts";
import { _LIST_METHODS, type ListCommands } from "./lists.ts";
import { _SERVER_METHODS, type ServerCommands } from "./server.ts";
import { _SET_METHODS, type SetCommands } from "./sets.ts";
import { _SORTED_SET_METHODS, type SortedSetCommands } from "./sorted_sets.ts";
import { _STREAM_METHODS, type StreamCommands } from "./streams.ts";
import { _STRING_METHODS, type StringCommands } from "./strings.ts";

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
export type { HashCommands, HRandFieldOptions } from "./hashes.ts";
export type { CopyOptions, ExpireOptions, KeyCommands, RestoreOptions } from "./keys.ts";
export type { ListCommands, ListEnd, LPosOptions } from "./lists.ts";
export type { FlushOptions, ScanOptions, ServerCommands } from "./server.ts";
export type { SetCommands } from "./sets.ts";
export type { SortedSetCommands } from "./sorted_sets.ts";
export type { StreamCommands } from "./streams.ts";
export type {
  ScoreBound,
  ScoredMember,
  ZAddMembers,
  ZAddOptions,
  ZRangeByScoreOptions,
  ZRangeOptions,
  ZStoreOptions,
} from "./sorted_sets_types.ts";
export type {
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
export type {
  BitRangeOptions,
  ExpiryOptions,
  GetExOptions,
  SetOptions,
  StringCommands,
} from "./strings.ts";

/**
 * Every typed command method. `D` is the client's `decodeResponses` (bulk strings as `string`
 * when true, `Uint8Array` otherwise); `M` is `"call"` for a client (methods return promises) or
 * `"queue"` for a pipeline (methods return the pipeline). Every method takes an optional
 * trailing options object (`CallOptions` or a command-specific extension).
 *
 * @example
 * ```ts
 * import type { RedisCommands } from "@x/rcluster/resp";
 * async function greet(rc: RedisCommands<true, "call">): Promise<string | null> {
 *   await rc.set("greeting", "hello", { ex: 60 });
 *   return await rc.get("greeting");
 * }
 * ```
 */
export interface RedisCommands<D extends boolean, M extends Mode>
  extends
    StringCommands<D, M>,
    KeyCommands<D, M>,
    HashCommands<D, M>,
    ListCommands<D, M>,
    SetCommands<D, M>,
    SortedSetCommands<D, M>,
    StreamCommands<D, M>,
    ServerCommands<D, M> {}

/**
 * The name of a typed command method, e.g. `"get"` or `"scriptLoad"`.
 *
 * @example
 * ```ts
 * import type { CommandMethodName } from "@x/rcluster/resp";
 * const name: CommandMethodName = "hgetall";
 * ```
 */
export type CommandMethodName = keyof RedisCommands<boolean, Mode>;

/**
 * Methods that only read, so a replica may serve them: the methods of the replica-only view.
 *
 * @example
 * ```ts
 * import type { ReadOnlyMethodName } from "@x/rcluster/resp";
 * const name: ReadOnlyMethodName = "zrange";
 * ```
 */
export type ReadOnlyMethodName =
  | "get"
  | "mget"
  | "getrange"
  | "strlen"
  | "getbit"
  | "bitcount"
  | "bitpos"
  | "pfcount"
  | "exists"
  | "ttl"
  | "pttl"
  | "type"
  | "dump"
  | "objectEncoding"
  | "hget"
  | "hmget"
  | "hgetall"
  | "hexists"
  | "hkeys"
  | "hvals"
  | "hlen"
  | "hstrlen"
  | "hrandfield"
  | "hscan"
  | "llen"
  | "lrange"
  | "lindex"
  | "lpos"
  | "smembers"
  | "sismember"
  | "smismember"
  | "scard"
  | "srandmember"
  | "sinter"
  | "sunion"
  | "sdiff"
  | "sscan"
  | "zscore"
  | "zcard"
  | "zcount"
  | "zrange"
  | "zrangebyscore"
  | "zrank"
  | "zrevrank"
  | "zmscore"
  | "zscan"
  | "xlen"
  | "xrange"
  | "xrevrange"
  | "xread"
  | "xpending"
  | "evalRo"
  | "evalshaRo"
  | "fcallRo"
  | "dbsize"
  | "keys"
  | "scan";

/**
 * The read-only commands of a client: what the replica-only view exposes.
 *
 * @example
 * ```ts
 * import type { ReadOnlyCommands } from "@x/rcluster/resp";
 * type ReplicaGet = ReadOnlyCommands<true>["get"];
 * ```
 */
export type ReadOnlyCommands<D extends boolean> = Pick<
  RedisCommands<D, "call">,
  ReadOnlyMethodName
>;

// A record makes the compiler check the list against the union both ways.
const READ_ONLY: { readonly [K in ReadOnlyMethodName]: true } = {
  get: true,
  mget: true,
  getrange: true,
  strlen: true,
  getbit: true,
  bitcount: true,
  bitpos: true,
  pfcount: true,
  exists: true,
  ttl: true,
  pttl: true,
  type: true,
  dump: true,
  objectEncoding: true,
  hget: true,
  hmget: true,
  hgetall: true,
  hexists: true,
  hkeys: true,
  hvals: true,
  hlen: true,
  hstrlen: true,
  hrandfield: true,
  hscan: true,
  llen: true,
  lrange: true,
  lindex: true,
  lpos: true,
  smembers: true,
  sismember: true,
  smismember: true,
  scard: true,
  srandmember: true,
  sinter: true,
  sunion: true,
  sdiff: true,
  sscan: true,
  zscore: true,
  zcard: true,
  zcount: true,
  zrange: true,
  zrangebyscore: true,
  zrank: true,
  zrevrank: true,
  zmscore: true,
  zscan: true,
  xlen: true,
  xrange: true,
  xrevrange: true,
  xread: true,
  xpending: true,
  evalRo: true,
  evalshaRo: true,
  fcallRo: true,
  dbsize: true,
  keys: true,
  scan: true,
};

/**
 * Names of the methods that only read (a replica may serve them). The replica-only view exposes
 * exactly these.
 *
 * @example
 * ```ts
 * import { READ_ONLY_METHODS } from "@x/rcluster/resp";
 * console.log(READ_ONLY_METHODS.includes("get")); // true
 * ```
 */
export const READ_ONLY_METHODS: readonly ReadOnlyMethodName[] = Object.freeze(
  Object.keys(READ_ONLY) as ReadOnlyMethodName[],
);

const METHODS: { readonly [K in CommandMethodName]: _Method } = {
  ..._STRING_METHODS,
  ..._KEY_METHODS,
  ..._HASH_METHODS,
  ..._LIST_METHODS,
  ..._SET_METHODS,
  ..._SORTED_SET_METHODS,
  ..._STREAM_METHODS,
  ..._SERVER_METHODS,
};

/**
 * Method name -> builder taking the method's raw arguments and returning the command to send.
 * Builders throw `TypeError` (naming the method and argument) before anything is sent.
 *
 * @example
 * ```ts
 * import { COMMAND_TABLE } from "@x/rcluster/resp";
 * const built = COMMAND_TABLE.get("set")?.(["k", "v", { ex: 10 }]);
 * console.log(built?.args); // ["SET", "k", "v", "EX", 10]
 * ```
 */
export const COMMAND_TABLE: ReadonlyMap<
  CommandMethodName,
  (args: readonly unknown[]) => BuiltCommand
> = new Map(
  (Object.keys(METHODS) as CommandMethodName[]).map((name) => [name, METHODS[name](name)]),
);
