/**
 * What `COMMAND GETKEYS` taught about commands whose key positions the metadata cannot express
 * (`SORT ... STORE`, `MIGRATE ... KEYS`): the positions it found, remembered per command shape.
 * A shape is every argument that is not a key, so a later call with the same options and
 * different keys is routed without asking again.
 * @module
 */
import type { RedisArgument } from "../types.ts";
import { encoder } from "../_utf8.ts";
import { _lowerWord } from "./command_name.ts";

interface _Shape {
  readonly positions: readonly number[];
  readonly signature: string;
}

/** Shapes kept per command; the oldest goes first. */
const SHAPES_PER_COMMAND = 64;

/** Key positions learnt from `COMMAND GETKEYS`, by command and shape. */
export class _KeyShapes {
  #shapes = new Map<string, _Shape[]>();

  /** The key positions of `args` when a call of the same shape was seen before. */
  positions(name: string, args: readonly RedisArgument[]): readonly number[] | undefined {
    for (const shape of this.#shapes.get(name) ?? []) {
      if (signature(args, shape.positions) === shape.signature) return shape.positions;
    }
    return undefined;
  }

  /**
   * Learns from the keys `COMMAND GETKEYS` returned for `args`: their positions (the first
   * argument after the previous key equal to each), remembered for this shape. Returns them.
   */
  learn(name: string, args: readonly RedisArgument[], keys: readonly Uint8Array[]): number[] {
    const positions: number[] = [];
    let from = 1;
    for (const key of keys) {
      let i = from;
      while (i < args.length && !sameBytes(args[i]!, key)) i++;
      if (i === args.length) return positions; // not found as sent: do not remember a guess
      positions.push(i);
      from = i + 1;
    }
    const shapes = this.#shapes.get(name) ?? [];
    if (shapes.length >= SHAPES_PER_COMMAND) shapes.shift();
    shapes.push({ positions, signature: signature(args, positions) });
    this.#shapes.set(name, shapes);
    return positions;
  }
}

function signature(args: readonly RedisArgument[], keys: readonly number[]): string {
  const parts: string[] = [String(args.length)];
  for (let i = 0; i < args.length; i++) parts.push(keys.includes(i) ? "" : _lowerWord(args[i]));
  return parts.join("\u0000");
}

function sameBytes(arg: RedisArgument, key: Uint8Array): boolean {
  const bytes = arg instanceof Uint8Array ? arg : encoder.encode(String(arg));
  if (bytes.length !== key.length) return false;
  for (let i = 0; i < bytes.length; i++) if (bytes[i] !== key[i]) return false;
  return true;
}
