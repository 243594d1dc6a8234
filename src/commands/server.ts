/**
 * Scripting, pub/sub publishing and server commands.
 * @module
 */
import type { CallOptions } from "../execution/call_options.ts";
import {
  _arg,
  _cmd,
  _CURSOR,
  _CURSOR_RULES,
  _maybe,
  type _Method,
  _opts,
  _rest,
  type Bulk,
  type CursorOptions,
  type Mode,
  type Out,
  type Variadic,
} from "./builder.ts";
import { _ARG, _counted, _KEY, _list, _NAT, _oneOf, _STR } from "./argument_kinds.ts";
import { _array, _scan, _text } from "./replies.ts";
import type { RedisArgument, RedisKey, RedisReply } from "../types.ts";

/**
 * Options of `scan()`.
 *
 * @example
 * ```ts
 * import type { ScanOptions } from "@x/rcluster";
 * const opts: ScanOptions = { match: "user:*", count: 1000, type: "hash" };
 * ```
 */
export interface ScanOptions extends CursorOptions {
  /** Only keys holding this type, e.g. `"string"`, `"hash"` (`TYPE`).
   * @default undefined (all types) */
  type?: string;
}

/**
 * Options of `flushall()`, `flushdb()` and `scriptFlush()`.
 *
 * @example
 * ```ts
 * import type { FlushOptions } from "@x/rcluster";
 * const opts: FlushOptions = { mode: "ASYNC" };
 * ```
 */
export interface FlushOptions extends CallOptions {
  /** Free memory in the background (`ASYNC`) or before replying (`SYNC`).
   * @default the server's `lazyfree-lazy-user-flush` setting */
  mode?: "ASYNC" | "SYNC";
}

/**
 * Scripting, publishing and server commands. Scripts and functions take their keys and
 * arguments as two arrays; their reply is passed through as decoded.
 *
 * @example
 * ```ts
 * import type { ServerCommands } from "@x/rcluster";
 * type Eval = ServerCommands<true, "call">["eval"];
 * ```
 */
export interface ServerCommands<D extends boolean, M extends Mode> {
  /** Runs a Lua script with keys (of one slot) and arguments; returns its reply.
   * @example
   * ```ts
   * const n = await rc.eval("return redis.call('INCR', KEYS[1])", ["hits"], []);
   * ``` */
  eval(
    script: string,
    keys: readonly RedisKey[],
    args: readonly RedisArgument[],
    options?: CallOptions,
  ): Out<M, RedisReply, this>;
  /** Runs a script loaded earlier, by its SHA1 digest.
   * @example
   * ```ts
   * const n = await rc.evalsha(sha, ["hits"], []);
   * ``` */
  evalsha(
    sha1: string,
    keys: readonly RedisKey[],
    args: readonly RedisArgument[],
    options?: CallOptions,
  ): Out<M, RedisReply, this>;
  /** Runs a read-only Lua script (may be served by a replica).
   * @example
   * ```ts
   * const v = await rc.evalRo("return redis.call('GET', KEYS[1])", ["k"], []);
   * ``` */
  evalRo(
    script: string,
    keys: readonly RedisKey[],
    args: readonly RedisArgument[],
    options?: CallOptions,
  ): Out<M, RedisReply, this>;
  /** Runs a loaded read-only script by its SHA1 digest (may be served by a replica).
   * @example
   * ```ts
   * const v = await rc.evalshaRo(sha, ["k"], []);
   * ``` */
  evalshaRo(
    sha1: string,
    keys: readonly RedisKey[],
    args: readonly RedisArgument[],
    options?: CallOptions,
  ): Out<M, RedisReply, this>;
  /** Calls a library function with keys (of one slot) and arguments.
   * @example
   * ```ts
   * const r = await rc.fcall("mylib_incr", ["hits"], [1]);
   * ``` */
  fcall(
    fn: string,
    keys: readonly RedisKey[],
    args: readonly RedisArgument[],
    options?: CallOptions,
  ): Out<M, RedisReply, this>;
  /** Calls a read-only library function (may be served by a replica).
   * @example
   * ```ts
   * const r = await rc.fcallRo("mylib_get", ["k"], []);
   * ``` */
  fcallRo(
    fn: string,
    keys: readonly RedisKey[],
    args: readonly RedisArgument[],
    options?: CallOptions,
  ): Out<M, RedisReply, this>;
  /** Loads a script without running it; returns its SHA1 digest.
   * @example
   * ```ts
   * const sha = await rc.scriptLoad("return 1");
   * ``` */
  scriptLoad(script: string, options?: CallOptions): Out<M, string, this>;
  /** Returns 1 or 0 for each digest: whether the script is loaded.
   * @example
   * ```ts
   * const [loaded] = await rc.scriptExists(sha);
   * ``` */
  scriptExists(...sha1s: Variadic<string>): Out<M, number[], this>;
  /** Empties the script cache.
   * @example
   * ```ts
   * await rc.scriptFlush({ mode: "SYNC" });
   * ``` */
  scriptFlush(options?: FlushOptions): Out<M, "OK", this>;
  /** Publishes a message; returns how many subscribers received it.
   * @example
   * ```ts
   * await rc.publish("news", "hello");
   * ``` */
  publish(
    channel: RedisArgument,
    message: RedisArgument,
    options?: CallOptions,
  ): Out<M, number, this>;
  /** Publishes to a shard channel (routed by its slot); returns how many received it.
   * @example
   * ```ts
   * await rc.spublish("orders:{eu}", "created");
   * ``` */
  spublish(
    shardChannel: RedisKey,
    message: RedisArgument,
    options?: CallOptions,
  ): Out<M, number, this>;
  /** Returns `message`, echoed by the server.
   * @example
   * ```ts
   * const hi = await rc.ping("hi");
   * ``` */
  ping(message: RedisArgument, options?: CallOptions): Out<M, Bulk<D>, this>;
  /** Returns `"PONG"`.
   * @example
   * ```ts
   * await rc.ping();
   * ``` */
  ping(options?: CallOptions): Out<M, "PONG", this>;
  /** Returns `message`.
   * @example
   * ```ts
   * const m = await rc.echo("hello");
   * ``` */
  echo(message: RedisArgument, options?: CallOptions): Out<M, Bulk<D>, this>;
  /** Returns the number of keys of the node the command is routed to.
   * @example
   * ```ts
   * const n = await rc.dbsize();
   * ``` */
  dbsize(options?: CallOptions): Out<M, number, this>;
  /** Deletes every key.
   * @example
   * ```ts
   * await rc.flushall({ mode: "ASYNC" });
   * ``` */
  flushall(options?: FlushOptions): Out<M, "OK", this>;
  /** Deletes every key of the current database.
   * @example
   * ```ts
   * await rc.flushdb();
   * ``` */
  flushdb(options?: FlushOptions): Out<M, "OK", this>;
  /** Returns the keys matching a glob pattern (blocks the server: prefer `scan()`).
   * @example
   * ```ts
   * const ks = await rc.keys("user:*");
   * ``` */
  keys(pattern: RedisArgument, options?: CallOptions): Out<M, Bulk<D>[], this>;
  /** One SCAN step on one node: the next cursor (`"0"` when done) and keys.
   * @example
   * ```ts
   * const [next, keys] = await rc.scan("0", { match: "user:*", count: 1000 });
   * ``` */
  scan(
    cursor: string | number,
    options?: ScanOptions,
  ): Out<M, [cursor: string, keys: Bulk<D>[]], this>;
  /** Returns one section of the server's INFO text (e.g. `"replication"`).
   * @example
   * ```ts
   * const repl = await rc.info("replication");
   * ``` */
  info(section: string, options?: CallOptions): Out<M, string, this>;
  /** Returns the server's INFO text (default sections).
   * @example
   * ```ts
   * const text = await rc.info();
   * ``` */
  info(options?: CallOptions): Out<M, string, this>;
  /** Waits until earlier writes reached `replicas` replicas or `timeout` ms passed (0: forever);
   * returns how many replicas acknowledged.
   * @example
   * ```ts
   * const acked = await rc.wait(1, 100);
   * ``` */
  wait(replicas: number, timeout: number, options?: CallOptions): Out<M, number, this>;
}

const script = (command: string, first: string): _Method =>
  _cmd(command, [
    _arg(first, _STR),
    _arg("keys", _counted(0)),
    _arg("args", _list(_ARG, "an array of arguments", 0)),
  ]);
const FLUSH = _opts({ rules: [["mode", "", _oneOf("ASYNC", "SYNC")]] });
const MESSAGE = _arg("message", _ARG);

/** Builders of the scripting, publishing and server commands. */
export const _SERVER_METHODS: { readonly [K in keyof ServerCommands<boolean, Mode>]: _Method } = {
  eval: script("EVAL", "script"),
  evalsha: script("EVALSHA", "sha1"),
  evalRo: script("EVAL_RO", "script"),
  evalshaRo: script("EVALSHA_RO", "sha1"),
  fcall: script("FCALL", "fn"),
  fcallRo: script("FCALL_RO", "fn"),
  scriptLoad: _cmd("SCRIPT LOAD", [_arg("script", _STR)], { reply: _text }),
  scriptExists: _cmd("SCRIPT EXISTS", [_rest("sha1s", _STR)]),
  scriptFlush: _cmd("SCRIPT FLUSH", [FLUSH]),
  publish: _cmd("PUBLISH", [_arg("channel", _ARG), MESSAGE]),
  spublish: _cmd("SPUBLISH", [_arg("shardChannel", _KEY), MESSAGE]),
  ping: _cmd("PING", [_maybe("message", _ARG)]),
  echo: _cmd("ECHO", [MESSAGE]),
  dbsize: _cmd("DBSIZE", []),
  flushall: _cmd("FLUSHALL", [FLUSH]),
  flushdb: _cmd("FLUSHDB", [FLUSH]),
  keys: _cmd("KEYS", [_arg("pattern", _ARG)]),
  scan: _cmd("SCAN", [
    _CURSOR,
    _opts({ rules: [..._CURSOR_RULES, ["type", "TYPE", _STR]] }),
  ], { reply: _scan(_array) }),
  info: _cmd("INFO", [_maybe("section", _STR)], { reply: _text }),
  wait: _cmd("WAIT", [_arg("replicas", _NAT), _arg("timeout", _NAT)]),
};
