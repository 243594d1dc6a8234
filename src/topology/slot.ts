/**
 * CRC16 (XMODEM) and Redis Cluster key slots with hash tags.
 * @module
 */
import type { RedisKey } from "../types.ts";

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
  return crcOf(bytes, range?.start ?? 0, range?.end ?? bytes.length);
}

function crcOf(bytes: Uint8Array, start: number, end: number): number {
  let crc = 0;
  for (let i = start; i < end; i++) crc = step(crc, bytes[i]!);
  return crc;
}

function step(crc: number, byte: number): number {
  return ((crc << 8) & 0xff00) ^ TABLE[((crc >> 8) ^ byte) & 0xff]!;
}

const OPEN = 0x7b; // {
const CLOSE = 0x7d; // }

function slotOfBytes(b: Uint8Array): number {
  const open = b.indexOf(OPEN);
  if (open !== -1) {
    const close = b.indexOf(CLOSE, open + 1);
    // Only the first "{" counts, and an empty tag "{}" means the whole key is hashed.
    if (close > open + 1) return crcOf(b, open + 1, close) & 0x3fff;
  }
  return crcOf(b, 0, b.length) & 0x3fff;
}

// "{" and "}" never occur inside a multi-byte UTF-8 sequence, so the tag found in UTF-16 units
// is the tag the server finds in bytes, and the bytes are produced on the fly, never allocated.
function slotOfString(s: string): number {
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
    let c = s.charCodeAt(i);
    if (c < 0x80) {
      crc = step(crc, c);
      continue;
    }
    if (c < 0x800) {
      crc = step(step(crc, 0xc0 | (c >> 6)), 0x80 | (c & 0x3f));
      continue;
    }
    if (c >= 0xd800 && c <= 0xdfff) {
      const d = i + 1 < end ? s.charCodeAt(i + 1) : 0;
      if (c <= 0xdbff && d >= 0xdc00 && d <= 0xdfff) {
        const cp = ((c - 0xd800) << 10) + (d - 0xdc00) + 0x10000;
        crc = step(step(crc, 0xf0 | (cp >> 18)), 0x80 | ((cp >> 12) & 0x3f));
        crc = step(step(crc, 0x80 | ((cp >> 6) & 0x3f)), 0x80 | (cp & 0x3f));
        i++;
        continue;
      }
      c = 0xfffd; // a lone surrogate, replaced as TextEncoder does
    }
    crc = step(step(step(crc, 0xe0 | (c >> 12)), 0x80 | ((c >> 6) & 0x3f)), 0x80 | (c & 0x3f));
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
    return slotOfString(key);
  }
  if (key instanceof Uint8Array) return slotOfBytes(key);
  throw new TypeError(`keySlot(): key must be a string or Uint8Array, got ${typeof key}`);
}
