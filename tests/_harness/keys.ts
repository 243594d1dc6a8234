/** Key generators for cluster tests. */
import { keySlot } from "../../src/topology/slot.ts";

/** One hash tag per slot: `tags[slot]` hashes to `slot`. */
export function tagPerSlot(): string[] {
  const tags: string[] = new Array(16384);
  let found = 0;
  for (let i = 0; found < 16384; i++) {
    const t = i.toString(36);
    const s = keySlot(t);
    if (tags[s] === undefined) {
      tags[s] = t;
      found++;
    }
  }
  return tags;
}

/** A deterministic PRNG (mulberry32), so failures reproduce. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
