import assert from "node:assert/strict";
import { _withoutRanges } from "../../src/transport/_write_batch.ts";
import { seededInts } from "../_harness/resp.ts";

function concat(chunks: readonly Uint8Array[]): number[] {
  return chunks.flatMap((c) => [...c]);
}

Deno.test("_withoutRanges() cuts exactly the given byte ranges out of chunks split anywhere", () => {
  const rand = seededInts(5);
  for (let round = 0; round < 3000; round++) {
    const total = rand(60);
    const bytes = Array.from({ length: total }, (_, i) => i % 251);
    const chunks: Uint8Array[] = [];
    for (let at = 0; at < total;) {
      const n = 1 + rand(total - at);
      chunks.push(new Uint8Array(bytes.slice(at, at + n)));
      at += n;
    }
    const ranges: [number, number][] = [];
    for (let at = rand(5); at < total; at += 1 + rand(8)) {
      const end = Math.min(total, at + rand(10));
      ranges.push([at, end]);
      at = end;
    }
    const cut = new Set(ranges.flatMap(([s, e]) => Array.from({ length: e - s }, (_, i) => s + i)));
    const expected = bytes.filter((_, i) => !cut.has(i));
    assert.deepEqual(concat(_withoutRanges(chunks, ranges)), expected, `seed 5, round ${round}`);
  }
});
