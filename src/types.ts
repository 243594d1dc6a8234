/**
 * Value types shared by every layer.
 * @module
 */

/**
 * One argument of a Redis command. Strings are sent as UTF-8, numbers and bigints in decimal,
 * `Uint8Array` untouched.
 *
 * @example
 * ```ts
 * import type { RedisArgument } from "@x/rcluster";
 * const args: RedisArgument[] = ["SET", "key", new Uint8Array([1, 2]), 10];
 * ```
 */
export type RedisArgument = string | number | bigint | Uint8Array;

/**
 * A key: hashed as UTF-8 bytes when a string, as-is when bytes.
 *
 * @example
 * ```ts
 * import type { RedisKey } from "@x/rcluster";
 * const key: RedisKey = "{user1000}.following";
 * ```
 */
export type RedisKey = string | Uint8Array;

/**
 * A decoded reply. Bulk strings are `Uint8Array` (or `string` when replies are decoded), RESP3
 * maps are `Map`, sets are `Set`, server errors are `RedisError` values inside arrays.
 *
 * @example
 * ```ts
 * import type { RedisReply } from "@x/rcluster";
 * const r: RedisReply = ["OK", 1, null];
 * ```
 */
export type RedisReply =
  | string
  | number
  | bigint
  | boolean
  | null
  | Uint8Array
  | Error
  | RedisReply[]
  | Map<RedisReply, RedisReply>
  | Set<RedisReply>
  | RespPush
  | VerbatimString;

/**
 * A RESP3 push message (`>`): out-of-band data such as pub/sub messages or invalidations.
 *
 * @example
 * ```ts
 * import { RespPush } from "@x/rcluster";
 * const p = new RespPush(["message", "ch", "hi"]);
 * console.log(p.data.length);
 * ```
 */
export class RespPush {
  /** The pushed elements. */
  readonly data: RedisReply[];
  /** Wraps the elements of a push frame. */
  constructor(data: RedisReply[]) {
    this.data = data;
  }
}

/**
 * A RESP3 verbatim string (`=`) when replies are not decoded: the format (e.g. `txt`) and bytes.
 *
 * @example
 * ```ts
 * import { VerbatimString } from "@x/rcluster";
 * const v = new VerbatimString("txt", new Uint8Array([104, 105]));
 * console.log(v.format);
 * ```
 */
export class VerbatimString {
  /** Three-letter format, e.g. `txt` or `mkd`. */
  readonly format: string;
  /** The text's bytes. */
  readonly bytes: Uint8Array;
  /** Wraps a verbatim string's format and bytes. */
  constructor(format: string, bytes: Uint8Array) {
    this.format = format;
    this.bytes = bytes;
  }
}
