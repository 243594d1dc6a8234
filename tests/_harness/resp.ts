/** Helpers for the codec tests: feeding bytes to a decoder in chunks, and seeded input. */
import assert from "node:assert/strict";
import { NEED_MORE, RespDecoder } from "../../src/protocol/resp_decoder.ts";
import { ProtocolError } from "../../src/errors.ts";
import type { RedisReply } from "../../src/types.ts";
import { prng } from "./keys.ts";

const te = new TextEncoder();
const td = new TextDecoder();
/** UTF-8 bytes of `s`. */
export const bytes = (s: string): Uint8Array => te.encode(s);
/** `b` decoded as UTF-8. */
export const text = (b: Uint8Array): string => td.decode(b);

/** A seeded integer source: `rand(n)` is in [0, n), so failures reproduce. */
export function seededInts(seed: number): (n: number) => number {
  const next = prng(seed);
  return (n) => Math.floor(next() * n);
}

/** Feeds `chunks` and collects every reply; `lazy` feeds everything before reading. */
export function decodeChunks(chunks: Uint8Array[], lazy = false): RedisReply[] {
  const d = new RespDecoder();
  const out: RedisReply[] = [];
  const drain = () => {
    for (let r = d.next(); r !== NEED_MORE; r = d.next()) out.push(r);
  };
  for (const c of chunks) {
    d.feed(c);
    if (!lazy) drain();
  }
  drain();
  assert.equal(d.pending, 0);
  return out;
}

export function decodeAll(s: string | Uint8Array): RedisReply[] {
  return decodeChunks([typeof s === "string" ? bytes(s) : s]);
}

export function decodeOne(s: string): RedisReply {
  const replies = decodeAll(s);
  assert.equal(replies.length, 1);
  return replies[0] as RedisReply;
}

export function assertProtocolError(
  input: string | Uint8Array,
  options?: ConstructorParameters<typeof RespDecoder>[0],
): void {
  const d = new RespDecoder(options);
  d.feed(typeof input === "string" ? bytes(input) : input);
  assert.throws(() => {
    while (d.next() !== NEED_MORE);
  }, ProtocolError);
}
