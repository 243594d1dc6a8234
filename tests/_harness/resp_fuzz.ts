/**
 * A seeded fuzzer of the RESP decoder. Two kinds of rounds:
 * - model rounds: random RESP2/RESP3 values (attributes, CRLF inside bulks, multi-byte UTF-8,
 *   nesting) are written out next to the value they stand for, cut into random chunks, and must
 *   decode back to exactly those values;
 * - mutation rounds: such streams with bytes flipped, inserted or cut must only ever yield values,
 *   ask for more bytes, or fail with `ProtocolError`, within a bounded number of steps.
 * Used by `deno task fuzz` (long runs) and by a quick test in the suite.
 * @module
 */
import assert from "node:assert/strict";
import { NEED_MORE, RespDecoder } from "../../src/protocol/resp_decoder.ts";
import { decodeReply } from "../../src/protocol/decode_reply.ts";
import { ProtocolError, RedisError } from "../../src/errors.ts";
import type { RedisReply } from "../../src/types.ts";
import { seededInts } from "./resp.ts";

const te = new TextEncoder();
const WORDS = [
  "",
  "a",
  "OK",
  "hello world",
  "x\r\ny",
  "\r\n",
  "é",
  "日本語",
  "🙂",
  "$3\r\n",
  "-ERR",
];

/** What one fuzz run did. */
export interface FuzzFigures {
  readonly rounds: number;
  readonly values: number;
  readonly protocolErrors: number;
}

/** One value: its wire text and what `decodeReply` must make of it. */
type Sample = [wire: string, value: RedisReply];

function generator(rand: (n: number) => number) {
  const word = (): string => {
    const w = WORDS[rand(WORDS.length)]!;
    return rand(4) === 0 ? w.repeat(1 + rand(50)) : w;
  };
  const simple = (): string => word().replace(/[\r\n]/g, "_");
  const bulk = (s: string): string => `$${te.encode(s).length}\r\n${s}\r\n`;
  const scalar = (): Sample => {
    switch (rand(11)) {
      case 0: {
        const s = simple();
        return [`+${s}\r\n`, s];
      }
      case 1: {
        const m = `ERR ${simple()}`;
        return [`-${m}\r\n`, new RedisError(m)];
      }
      case 2: {
        const n = rand(2) === 0 ? rand(1000) : rand(2 ** 31) - 2 ** 30;
        return [`:${n}\r\n`, n];
      }
      case 3: {
        const s = word();
        return [bulk(s), s];
      }
      case 4:
        return [["$-1\r\n", "*-1\r\n", "_\r\n"][rand(3)]!, null];
      case 5: {
        const d = (rand(2000) - 1000) / 8;
        return [`,${d}\r\n`, d];
      }
      case 6: {
        const b = rand(2) === 0;
        return [`#${b ? "t" : "f"}\r\n`, b];
      }
      case 7: {
        const big = BigInt(rand(2 ** 30)) * 10n ** 20n - 7n;
        return [`(${big}\r\n`, big];
      }
      case 8: {
        const s = word();
        return [`=${te.encode(s).length + 4}\r\ntxt:${s}\r\n`, s];
      }
      case 9: {
        const m = `ERR ${word()}`;
        return [`!${te.encode(m).length}\r\n${m}\r\n`, new RedisError(m)];
      }
      default: {
        const n = 0 - rand(100);
        return [`:${n}\r\n`, n];
      }
    }
  };
  const value = (depth: number): Sample => {
    const kind = depth > 3 ? 0 : rand(6);
    // Attributes before a value are read and dropped.
    const attribute = rand(8) === 0 ? `|1\r\n+ttl\r\n:${rand(100)}\r\n` : "";
    const [wire, v] = kind === 4 ? map(depth) : kind === 5 ? array(depth) : scalar();
    return [attribute + wire, v];
  };
  const array = (depth: number): Sample => {
    const items = Array.from({ length: rand(5) }, () => value(depth + 1));
    const set = rand(3) === 0;
    if (set) {
      const scalars = Array.from({ length: rand(5) }, scalar).filter(([, v]) =>
        !(v instanceof RedisError)
      );
      return [
        `~${scalars.length}\r\n${scalars.map(([w]) => w).join("")}`,
        new Set(scalars.map(([, v]) => v)),
      ];
    }
    return [`*${items.length}\r\n${items.map(([w]) => w).join("")}`, items.map(([, v]) => v)];
  };
  const map = (depth: number): Sample => {
    const pairs: [key: Sample, value: Sample][] = Array.from({ length: rand(4) }, () => {
      const s = simple();
      return [[`+${s}\r\n`, s], value(depth + 1)];
    });
    return [
      `%${pairs.length}\r\n${pairs.map(([k, v]) => k[0] + v[0]).join("")}`,
      new Map(pairs.map(([k, v]) => [k[1], v[1]])),
    ];
  };
  return value;
}

/** Decodes `data` fed in `parts`; every reply goes through `decodeReply`. */
function decodeParts(parts: Uint8Array[], maxBulkBytes: number, budget: number): RedisReply[] {
  const d = new RespDecoder({ maxBulkBytes });
  const out: RedisReply[] = [];
  for (const part of parts) {
    d.feed(part);
    for (let r = d.next(); r !== NEED_MORE; r = d.next()) {
      out.push(decodeReply(r));
      if (out.length > budget) throw new Error("the decoder returned more replies than bytes");
    }
  }
  return out;
}

/** Cuts `data` at `cuts` random places. */
function chop(data: Uint8Array, rand: (n: number) => number): Uint8Array[] {
  const at = Array.from({ length: rand(6) }, () => rand(data.length + 1)).sort((a, b) => a - b);
  const parts: Uint8Array[] = [];
  let from = 0;
  for (const to of [...at, data.length]) {
    parts.push(data.subarray(from, to));
    from = to;
  }
  return parts;
}

/** Runs `rounds` rounds from `seed`; throws, naming the seed and round, on the first failure. */
export function fuzzDecoder(seed: number, rounds: number): FuzzFigures {
  const rand = seededInts(seed);
  const value = generator(rand);
  let values = 0;
  let protocolErrors = 0;
  for (let round = 0; round < rounds; round++) {
    const samples = Array.from({ length: 1 + rand(6) }, () => value(0));
    const data = te.encode(samples.map(([w]) => w).join(""));
    const where = `seed ${seed}, round ${round}`;
    if (round % 2 === 0) {
      const got = decodeParts(chop(data, rand), 1 << 20, data.length);
      assert.deepEqual(got, samples.map(([, v]) => v), where);
      values += got.length;
      continue;
    }
    const bytes = Array.from(data);
    for (let m = 1 + rand(4); m > 0; m--) {
      const at = rand(bytes.length + 1);
      const op = rand(3);
      const b = rand(2) === 0 ? rand(256) : te.encode("+-:$*%~,#(=!>|_\r\n0123456789")[rand(29)]!;
      if (op === 0) bytes[at] = b;
      else if (op === 1) bytes.splice(at, 0, b);
      else bytes.splice(at, 1 + rand(4));
    }
    const mutated = new Uint8Array(bytes);
    try {
      values += decodeParts(chop(mutated, rand), 1 << 20, mutated.length).length;
    } catch (e) {
      if (!(e instanceof ProtocolError)) {
        throw new Error(`${where}: ${String(e)} on ${JSON.stringify(bytes)}`, { cause: e });
      }
      protocolErrors++;
    }
  }
  return { rounds, values, protocolErrors };
}
