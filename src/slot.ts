/**
 * CRC16 (XMODEM) and Redis Cluster key slots with hash tags.
 * @module
 */
import { encoder } from "./_bytes.ts";
import type { RedisKey } from "./types.ts";

/** Number of hash slots in a Redis Cluster. */
export const SLOT_COUNT = 16384;

const TABLE: Uint16Array = (() => {
  const t = new Uint16Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i << 8;
    for (let b = 0; b < 8; b++) c = c & 0x8000 ? (c << 1) ^ 0x1021 : c << 1;
    t[i] = c & 0xffff;
  }
  return t;
})();

/**
 * CRC16-XMODEM of `bytes[start, end)`, the checksum Redis Cluster uses for key slots.
 *
 * @example
 * ```ts
 * import { crc16 } from "@x/rcluster";
 * crc16(new TextEncoder().encode("123456789")); // 0x31c3
 * ```
 */
export function crc16(bytes: Uint8Array, range?: { start?: number; end?: number }): number {
  let crc = 0;
  const end = range?.end ?? bytes.length;
  for (let i = range?.start ?? 0; i < end; i++) {
    crc = ((crc << 8) & 0xff00) ^ TABLE[((crc >> 8) ^ bytes[i]!) & 0xff]!;
  }
  return crc;
}

const OPEN = 0x7b; // {
const CLOSE = 0x7d; // }

function slotOfBytes(b: Uint8Array): number {
  const open = b.indexOf(OPEN);
  if (open !== -1) {
    const close = b.indexOf(CLOSE, open + 1);
    // Only the first "{" counts, and an empty tag "{}" means the whole key is hashed.
    if (close > open + 1) return crc16(b, { start: open + 1, end: close }) & 0x3fff;
  }
  return crc16(b) & 0x3fff;
}

function isAscii(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 0x7f) return false;
  return true;
}

function slotOfAscii(s: string): number {
  let start = 0;
  let end = s.length;
  const open = s.indexOf("{");
  if (open !== -1) {
    const close = s.indexOf("}", open + 1);
    if (close > open + 1) {
      start = open + 1;
      end = close;
    }
  }
  let crc = 0;
  for (let i = start; i < end; i++) {
    crc = ((crc << 8) & 0xff00) ^ TABLE[((crc >> 8) ^ s.charCodeAt(i)) & 0xff]!;
  }
  return crc & 0x3fff;
}

/**
 * The cluster slot (0-16383) of a key, honouring the first non-empty `{hash tag}`. A string key
 * hashes its UTF-8 bytes, a `Uint8Array` key its bytes.
 *
 * @example
 * ```ts
 * import { keySlot } from "@x/rcluster";
 * keySlot("foo"); // 12182
 * keySlot("{user1000}.following") === keySlot("{user1000}.followers"); // true
 * ```
 */
export function keySlot(key: RedisKey): number {
  if (typeof key === "string") {
    // ASCII keys (the common case) hash without allocating.
    return isAscii(key) ? slotOfAscii(key) : slotOfBytes(encoder.encode(key));
  }
  if (key instanceof Uint8Array) return slotOfBytes(key);
  throw new TypeError(`keySlot(): key must be a string or Uint8Array, got ${typeof key}`);
}
