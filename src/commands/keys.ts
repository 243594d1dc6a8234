/**
 * Generic key and expiry commands.
 * @module
 */
import type { CallOptions } from "../execution/call_options.ts";
import {
  _arg,
  _cmd,
  _K,
  type _Method,
  _opts,
  _rest,
  type Bulk,
  type Mode,
  type Out,
  type Variadic,
} from "./builder.ts";
import { _ARG, _INT, _KEY, _NAT } from "./argument_kinds.ts";
import { _textOrNull } from "./replies.ts";
import type { RedisArgument, RedisKey } from "../types.ts";

/**
 * Conditions of EXPIRE and its variants (Redis 7+); `nx` excludes the others, `gt` excludes `lt`.
 *
 * @example
 * ```ts
 * import type { ExpireOptions } from "@x/rcluster";
 * const opts: ExpireOptions = { gt: true };
 * ```
 */
export interface ExpireOptions extends CallOptions {
  /** Only when the key has no expiry (`NX`).
   * @default false */
  nx?: boolean;
  /** Only when the key has an expiry (`XX`).
   * @default false */
  xx?: boolean;
  /** Only when the new expiry is later than the current one (`GT`).
   * @default false */
  gt?: boolean;
  /** Only when the new expiry is earlier than the current one (`LT`).
   * @default false */
  lt?: boolean;
}

/**
 * Options of `copy()`.
 *
 * @example
 * ```ts
 * import type { CopyOptions } from "@x/rcluster";
 * const opts: CopyOptions = { replace: true };
 * ```
 */
export interface CopyOptions extends CallOptions {
  /** Overwrite the destination when it exists (`REPLACE`).
   * @default false */
  replace?: boolean;
}

/**
 * Options of `restore()`.
 *
 * @example
 * ```ts
 * import type { RestoreOptions } from "@x/rcluster";
 * const opts: RestoreOptions = { replace: true, absttl: true };
 * ```
 */
export interface RestoreOptions extends CallOptions {
  /** Overwrite the key when it exists (`REPLACE`).
   * @default false */
  replace?: boolean;
  /** `ttl` is a Unix time in milliseconds, not a duration (`ABSTTL`).
   * @default false */
  absttl?: boolean;
  /** Idle time in seconds to restore (`IDLETIME`); excludes `freq`.
   * @default undefined */
  idletime?: number;
  /** LFU frequency to restore (`FREQ`); excludes `idletime`.
   * @default undefined */
  freq?: number;
}

/**
 * Generic key and expiry commands. Existence-style replies stay integers (1/0), like ioredis.
 *
 * @example
 * ```ts
 * import type { KeyCommands } from "@x/rcluster";
 * type Del = KeyCommands<true, "call">["del"];
 * ```
 */
export interface KeyCommands<D extends boolean, M extends Mode> {
  /** Deletes keys; returns how many existed. Keys may span slots.
   * @example
   * ```ts
   * await rc.del("a", "b");
   * ``` */
  del(...keys: Variadic<RedisKey>): Out<M, number, this>;
  /** Deletes keys, reclaiming memory in the background; returns how many existed.
   * @example
   * ```ts
   * await rc.unlink("big:1", "big:2");
   * ``` */
  unlink(...keys: Variadic<RedisKey>): Out<M, number, this>;
  /** Counts how many of the keys exist (a key given twice counts twice).
   * @example
   * ```ts
   * const n = await rc.exists("a", "b");
   * ``` */
  exists(...keys: Variadic<RedisKey>): Out<M, number, this>;
  /** Updates the keys' last access time; returns how many exist.
   * @example
   * ```ts
   * await rc.touch("a", "b");
   * ``` */
  touch(...keys: Variadic<RedisKey>): Out<M, number, this>;
  /** Sets a time to live in seconds; returns 1 when set, 0 otherwise.
   * @example
   * ```ts
   * await rc.expire("session:1", 3600);
   * ``` */
  expire(key: RedisKey, seconds: number, options?: ExpireOptions): Out<M, number, this>;
  /** Sets a time to live in milliseconds; returns 1 when set, 0 otherwise.
   * @example
   * ```ts
   * await rc.pexpire("session:1", 1500);
   * ``` */
  pexpire(key: RedisKey, milliseconds: number, options?: ExpireOptions): Out<M, number, this>;
  /** Expires the key at a Unix time in seconds; returns 1 when set, 0 otherwise.
   * @example
   * ```ts
   * await rc.expireat("promo", 1893456000);
   * ``` */
  expireat(key: RedisKey, unixSeconds: number, options?: ExpireOptions): Out<M, number, this>;
  /** Expires the key at a Unix time in milliseconds; returns 1 when set, 0 otherwise.
   * @example
   * ```ts
   * await rc.pexpireat("promo", Date.now() + 60_000);
   * ``` */
  pexpireat(key: RedisKey, unixMilliseconds: number, options?: ExpireOptions): Out<M, number, this>;
  /** Returns the time to live in seconds; -1 without expiry, -2 when the key does not exist.
   * @example
   * ```ts
   * const left = await rc.ttl("session:1");
   * ``` */
  ttl(key: RedisKey, options?: CallOptions): Out<M, number, this>;
  /** Returns the time to live in milliseconds; -1 without expiry, -2 when missing.
   * @example
   * ```ts
   * const left = await rc.pttl("session:1");
   * ``` */
  pttl(key: RedisKey, options?: CallOptions): Out<M, number, this>;
  /** Removes the expiry; returns 1 when removed, 0 otherwise.
   * @example
   * ```ts
   * await rc.persist("session:1");
   * ``` */
  persist(key: RedisKey, options?: CallOptions): Out<M, number, this>;
  /** Returns the type of the value (`"string"`, `"hash"`...), `"none"` when missing.
   * @example
   * ```ts
   * const t = await rc.type("user:1");
   * ``` */
  type(key: RedisKey, options?: CallOptions): Out<M, string, this>;
  /** Renames a key (both in one slot), overwriting `newKey`.
   * @example
   * ```ts
   * await rc.rename("{u1}.tmp", "{u1}.profile");
   * ``` */
  rename(key: RedisKey, newKey: RedisKey, options?: CallOptions): Out<M, "OK", this>;
  /** Renames a key only when `newKey` does not exist; returns 1 when renamed, 0 otherwise.
   * @example
   * ```ts
   * await rc.renamenx("{u1}.tmp", "{u1}.profile");
   * ``` */
  renamenx(key: RedisKey, newKey: RedisKey, options?: CallOptions): Out<M, number, this>;
  /** Copies a value to another key of the same slot; returns 1 when copied, 0 otherwise.
   * @example
   * ```ts
   * await rc.copy("{u1}.profile", "{u1}.backup", { replace: true });
   * ``` */
  copy(source: RedisKey, destination: RedisKey, options?: CopyOptions): Out<M, number, this>;
  /** Serializes the value for `restore()`; null when the key does not exist. Use a client
   * without `decodeResponses`, as the payload is binary.
   * @example
   * ```ts
   * const payload = await rc.dump("user:1");
   * ``` */
  dump(key: RedisKey, options?: CallOptions): Out<M, Bulk<D> | null, this>;
  /** Creates a key from a `dump()` payload, with a time to live in milliseconds (0: none).
   * @example
   * ```ts
   * await rc.restore("user:1:copy", 0, payload, { replace: true });
   * ``` */
  restore(
    key: RedisKey,
    ttl: number,
    serializedValue: RedisArgument,
    options?: RestoreOptions,
  ): Out<M, "OK", this>;
  /** Returns the internal encoding of the value (`"listpack"`, `"int"`...), or null.
   * @example
   * ```ts
   * const enc = await rc.objectEncoding("user:1");
   * ``` */
  objectEncoding(key: RedisKey, options?: CallOptions): Out<M, string | null, this>;
}

const keys = _rest("keys", _KEY);
const expire = (command: string, name: string): _Method =>
  _cmd(command, [
    _K,
    _arg(name, _INT),
    _opts({
      rules: [["nx", "NX"], ["xx", "XX"], ["gt", "GT"], ["lt", "LT"]],
      exclusive: [["nx", "xx"], ["nx", "gt"], ["nx", "lt"], ["gt", "lt"]],
    }),
  ]);
const NEW_KEY = _arg("newKey", _KEY);

/** Builders of the key and expiry commands. */
export const _KEY_METHODS: { readonly [K in keyof KeyCommands<boolean, Mode>]: _Method } = {
  del: _cmd("DEL", [keys]),
  unlink: _cmd("UNLINK", [keys]),
  exists: _cmd("EXISTS", [keys]),
  touch: _cmd("TOUCH", [keys]),
  expire: expire("EXPIRE", "seconds"),
  pexpire: expire("PEXPIRE", "milliseconds"),
  expireat: expire("EXPIREAT", "unixSeconds"),
  pexpireat: expire("PEXPIREAT", "unixMilliseconds"),
  ttl: _cmd("TTL", [_K]),
  pttl: _cmd("PTTL", [_K]),
  persist: _cmd("PERSIST", [_K]),
  type: _cmd("TYPE", [_K]),
  rename: _cmd("RENAME", [_K, NEW_KEY]),
  renamenx: _cmd("RENAMENX", [_K, NEW_KEY]),
  copy: _cmd("COPY", [
    _arg("source", _KEY),
    _arg("destination", _KEY),
    _opts({ rules: [["replace", "REPLACE"]] }),
  ]),
  dump: _cmd("DUMP", [_K]),
  restore: _cmd("RESTORE", [
    _K,
    _arg("ttl", _NAT),
    _arg("serializedValue", _ARG),
    _opts({
      rules: [
        ["replace", "REPLACE"],
        ["absttl", "ABSTTL"],
        ["idletime", "IDLETIME", _NAT],
        ["freq", "FREQ", _NAT],
      ],
      exclusive: [["idletime", "freq"]],
    }),
  ]),
  objectEncoding: _cmd("OBJECT ENCODING", [_K], { reply: _textOrNull }),
};
