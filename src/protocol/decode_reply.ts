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
 * import { decodeReply } from "@x/rcluster/resp";
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

/**
 * `reply` with every bulk payload shorter than `below` bytes copied into an array of its own,
 * when it is a view into a larger buffer (a connection's read buffer): so a kept value neither
 * pins that buffer nor exposes, through `.buffer`, the bytes of other replies. Arrays and pushes
 * are updated in place (the decoder made them), maps, sets and verbatim strings rebuilt.
 */
export function _ownedReply(reply: RedisReply, below: number): RedisReply {
  if (typeof reply !== "object" || reply === null) return reply;
  if (reply instanceof Uint8Array) return owned(reply, below);
  if (Array.isArray(reply)) {
    for (let i = 0; i < reply.length; i++) reply[i] = _ownedReply(reply[i]!, below);
    return reply;
  }
  if (reply instanceof Map) {
    const out = new Map<RedisReply, RedisReply>();
    for (const [k, v] of reply) out.set(_ownedReply(k, below), _ownedReply(v, below));
    return out;
  }
  if (reply instanceof Set) {
    const out = new Set<RedisReply>();
    for (const v of reply) out.add(_ownedReply(v, below));
    return out;
  }
  if (reply instanceof RespPush) {
    _ownedReply(reply.data, below);
    return reply;
  }
  if (reply instanceof VerbatimString) {
    return new VerbatimString(reply.format, owned(reply.bytes, below));
  }
  return reply;
}

function owned(bytes: Uint8Array, below: number): Uint8Array {
  if (bytes.length >= below || bytes.byteLength === bytes.buffer.byteLength) return bytes;
  // The constructor and set() are several times cheaper than slice() in V8.
  const copy = new Uint8Array(bytes.length);
  copy.set(bytes);
  return copy;
}
