/**
 * Raw replies to text, for callers that asked for decoded responses.
 * @module
 */
import { _utf8 } from "./_resp_scalars.ts";
import { type RedisReply, RespPush, VerbatimString } from "../types.ts";

function _decodeArray(items: readonly RedisReply[]): RedisReply[] {
  const out: RedisReply[] = [];
  for (let i = 0; i < items.length; i++) out.push(decodeReply(items[i] as RedisReply));
  return out;
}

/**
 * Converts a raw reply for callers that want text: bulk strings and verbatim strings become
 * UTF-8 strings, recursively inside arrays, maps (keys and values), sets and pushes. Other values,
 * errors included, are returned as they are; containers are copied, never modified.
 *
 * @example
 * ```ts
 * import { decodeReply } from "./decode_reply.ts";
 * const raw = [new TextEncoder().encode("hello"), 1];
 * console.log(decodeReply(raw)); // ["hello", 1]
 * ```
 */
export function decodeReply(reply: RedisReply): RedisReply {
  if (typeof reply !== "object" || reply === null) return reply;
  if (reply instanceof Uint8Array) return _utf8(reply, 0, reply.length);
  if (Array.isArray(reply)) return _decodeArray(reply);
  if (reply instanceof Map) {
    const out = new Map<RedisReply, RedisReply>();
    for (const [k, v] of reply) out.set(decodeReply(k), decodeReply(v));
    return out;
  }
  if (reply instanceof Set) {
    const out = new Set<RedisReply>();
    for (const v of reply) out.add(decodeReply(v));
    return out;
  }
  if (reply instanceof RespPush) return new RespPush(_decodeArray(reply.data));
  if (reply instanceof VerbatimString) return _utf8(reply.bytes, 0, reply.bytes.length);
  return reply;
}
