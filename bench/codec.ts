/**
 * Reply decoding throughput, rcluster's `RespDecoder` against `npm:redis-parser` (the parser of
 * ioredis) on the same bytes, fed in the 64 KiB chunks a socket read gives.
 * @module
 */
import { Buffer } from "node:buffer";
import { RedisParser } from "./deps.ts";
import { decodeReply, NEED_MORE, RespDecoder } from "../resp.ts";
import { median } from "./measure.ts";

const CHUNK = 64 * 1024;

interface _ParserOptions {
  returnReply(reply: unknown): void;
  returnError(error: Error): void;
  returnFatalError(error: Error): void;
  returnBuffers: boolean;
}
/** redis-parser ships no types; this is the part of it used here. */
const Parser = RedisParser as unknown as new (options: _ParserOptions) => {
  execute(buffer: Buffer): void;
};

/** A reply stream to decode. */
export interface Payload {
  readonly name: string;
  readonly replies: number;
  readonly bytes: Uint8Array;
}

/** Decoding speed of one decoder on one payload. */
export interface CodecResult {
  readonly payload: string;
  readonly mode: "bytes" | "strings";
  readonly decoder: "rcluster" | "redis-parser";
  readonly mbPerSec: number;
  readonly repliesPerSec: number;
}

/** Byte streams shaped like the scenarios' replies. */
export function payloads(): Payload[] {
  const text = new TextEncoder();
  const bulk = (s: string): string => `$${s.length}\r\n${s}\r\n`;
  const make = (name: string, replies: number, one: (i: number) => string): Payload => {
    const parts: string[] = [];
    for (let i = 0; i < replies; i++) parts.push(one(i));
    return { name, replies, bytes: text.encode(parts.join("")) };
  };
  const small = "v".repeat(64);
  const big = "b".repeat(1 << 20);
  const mget = `*100\r\n${bulk("m".repeat(16)).repeat(100)}`;
  return [
    make("GET replies, 64 B", 20_000, () => bulk(small)),
    make("MGET replies, 100 × 16 B", 500, () => mget),
    make("SET / INCR replies (+OK, :int)", 40_000, (i) => i % 2 ? "+OK\r\n" : `:${i}\r\n`),
    make("1 MiB bulk strings", 8, () => bulk(big)),
  ];
}

/** Each decoder on each payload and mode, interleaved, `repeats` times for `minMs` each. */
export function runCodec(repeats: number, minMs: number): CodecResult[] {
  const out: CodecResult[] = [];
  for (const payload of payloads()) {
    const chunks = split(payload.bytes);
    for (const mode of ["bytes", "strings"] as const) {
      const decoders = {
        rcluster: rclusterPass(chunks, mode === "strings"),
        "redis-parser": parserPass(chunks, mode === "strings"),
      };
      const rates: Record<keyof typeof decoders, number[]> = { rcluster: [], "redis-parser": [] };
      for (let r = 0; r < repeats; r++) {
        for (const name of ["rcluster", "redis-parser"] as const) {
          const pass = decoders[name];
          if (pass() !== payload.replies) throw new Error(`${name}: wrong reply count`);
          rates[name].push(passesPerSec(pass, minMs));
        }
      }
      for (const name of ["rcluster", "redis-parser"] as const) {
        const rate = median(rates[name]);
        out.push({
          payload: payload.name,
          mode,
          decoder: name,
          mbPerSec: rate * payload.bytes.length / 1e6,
          repliesPerSec: rate * payload.replies,
        });
      }
    }
  }
  return out;
}

function split(bytes: Uint8Array): Uint8Array[] {
  const chunks: Uint8Array[] = [];
  for (let at = 0; at < bytes.length; at += CHUNK) chunks.push(bytes.subarray(at, at + CHUNK));
  return chunks;
}

/** One pass decodes every chunk and returns the number of replies seen. */
type Pass = () => number;

function rclusterPass(chunks: readonly Uint8Array[], strings: boolean): Pass {
  const decoder = new RespDecoder();
  let sink: unknown;
  return () => {
    let n = 0;
    for (const chunk of chunks) {
      decoder.feed(chunk);
      for (let r = decoder.next(); r !== NEED_MORE; r = decoder.next()) {
        sink = strings ? decodeReply(r) : r;
        n++;
      }
    }
    return sink === undefined ? 0 : n;
  };
}

function parserPass(chunks: readonly Uint8Array[], strings: boolean): Pass {
  let n = 0;
  const parser = new Parser({
    returnReply: () => n++,
    returnError: (e) => {
      throw e;
    },
    returnFatalError: (e) => {
      throw e;
    },
    returnBuffers: !strings,
  });
  const buffers = chunks.map((c) => Buffer.from(c.buffer, c.byteOffset, c.byteLength));
  return () => {
    n = 0;
    for (const b of buffers) parser.execute(b);
    return n;
  };
}

function passesPerSec(pass: Pass, minMs: number): number {
  let passes = 0;
  const start = performance.now();
  let elapsed = 0;
  do {
    pass();
    passes++;
    elapsed = performance.now() - start;
  } while (elapsed < minMs);
  return passes / (elapsed / 1000);
}
