/**
 * Multi-key commands whose keys span slots: split per slot, run in parallel, merged in the
 * caller's order. Not atomic across slots (each part is atomic on its own node).
 * @module
 */
import { keySlot } from "../topology/slot.ts";
import { RedisError } from "../errors.ts";
import type { RedisArgument, RedisKey, RedisReply } from "../types.ts";

/** One per-slot part of a split command. */
export interface _Part {
  readonly slot: number;
  readonly args: RedisArgument[];
  /** Positions, in the caller's key order, of this part's keys. */
  readonly positions: number[];
}

/** How a splittable command lays out keys and merges replies. */
interface SplitRule {
  /** Arguments per key (2 for MSET's key/value pairs). */
  readonly stride: number;
  readonly merge: "array" | "sum" | "ok";
}

const RULES: ReadonlyMap<string, SplitRule> = new Map([
  ["mget", { stride: 1, merge: "array" }],
  ["mset", { stride: 2, merge: "ok" }],
  ["del", { stride: 1, merge: "sum" }],
  ["unlink", { stride: 1, merge: "sum" }],
  ["exists", { stride: 1, merge: "sum" }],
  ["touch", { stride: 1, merge: "sum" }],
]);

/**
 * The per-slot parts of a splittable command, or `undefined` when it needs no split (not
 * splittable, malformed, or all keys in one slot).
 */
export function _split(name: string, args: readonly RedisArgument[]): _Part[] | undefined {
  const rule = RULES.get(name);
  if (rule === undefined) return undefined;
  const rest = args.length - 1;
  if (rest < rule.stride || rest % rule.stride !== 0) return undefined;
  const bySlot = new Map<number, _Part>();
  for (let i = 1, pos = 0; i < args.length; i += rule.stride, pos++) {
    const slot = keySlot(asKey(args[i]));
    let part = bySlot.get(slot);
    if (!part) {
      part = { slot, args: [args[0]!], positions: [] };
      bySlot.set(slot, part);
    }
    for (let j = 0; j < rule.stride; j++) part.args.push(args[i + j]!);
    part.positions.push(pos);
  }
  return bySlot.size > 1 ? [...bySlot.values()] : undefined;
}

/** Merges part replies into the reply of the unsplit command; the first error wins. */
export function _merge(
  name: string,
  parts: readonly _Part[],
  replies: readonly RedisReply[],
): RedisReply {
  const error = replies.find((r) => r instanceof RedisError);
  if (error !== undefined) return error;
  switch (RULES.get(name)?.merge) {
    case "sum":
      return replies.reduce<number>((n, r) => n + Number(r), 0);
    case "ok":
      return "OK";
    default: {
      const out: RedisReply[] = [];
      parts.forEach((p, i) => {
        const r = replies[i];
        const values = Array.isArray(r) ? r : [];
        p.positions.forEach((pos, j) => out[pos] = values[j] ?? null);
      });
      return out;
    }
  }
}

function asKey(a: RedisArgument | undefined): RedisKey {
  return typeof a === "string" || a instanceof Uint8Array ? a : String(a);
}
