/**
 * The aggregates (arrays, maps, sets, pushes, attributes) a decoder is filling, as an explicit
 * stack of reusable frames, so nesting costs no recursion and a reply split anywhere resumes
 * where it stopped.
 * @module
 */
import { type RedisReply, RespPush } from "../types.ts";
import { _fail } from "./_resp_scalars.ts";
import { OPENED, T_ARRAY, T_ATTR, T_MAP, T_PUSH, T_SET } from "./_resp_grammar.ts";

type _Container = RedisReply[] | Map<RedisReply, RedisReply> | Set<RedisReply> | null;

/** One aggregate being filled; frames are reused across replies. */
class _Frame {
  type = 0;
  length = 0;
  remaining = 0;
  container: _Container = null;
  key: RedisReply = null;
}

/** The open aggregates, innermost last. */
export class _AggregateStack {
  /** How many aggregates are open. */
  depth = 0;
  readonly #maxDepth: number;
  readonly #maxLength: number;
  #frames: _Frame[] = [];

  constructor(maxDepth: number, maxLength: number) {
    this.#maxDepth = maxDepth;
    this.#maxLength = maxLength;
  }

  /**
   * Opens an aggregate of `type` announcing `len` elements (-1: null). Returns the value itself
   * when it is complete already (null, or empty), else `OPENED`.
   */
  open(type: number, len: number): RedisReply | typeof OPENED {
    if (len < 0) return null;
    if (len > this.#maxLength) _fail(`aggregate length ${len} exceeds maxArrayLength`);
    if (this.depth >= this.#maxDepth) {
      _fail(`replies nested deeper than maxDepth ${this.#maxDepth}`);
    }
    let container: _Container = null;
    // Presized arrays fill ~4x faster than push(); huge announced lengths grow as data arrives.
    if (type === T_ARRAY || type === T_PUSH) container = len <= 1024 ? new Array(len) : [];
    else if (type === T_MAP) container = new Map();
    else if (type === T_SET) container = new Set();
    if (len === 0) {
      if (type === T_ATTR) return OPENED;
      return type === T_PUSH ? new RespPush([]) : container;
    }
    const frame = this.#frames[this.depth] ?? new _Frame();
    this.#frames[this.depth++] = frame;
    frame.type = type;
    frame.length = frame.remaining = type === T_MAP || type === T_ATTR ? len * 2 : len;
    frame.container = container;
    return OPENED;
  }

  /**
   * Hands `value` to the innermost aggregate (`depth > 0`), closing every one it completes.
   * Returns the finished top-level reply, or `OPENED` while more values are needed.
   */
  add(value: RedisReply): RedisReply | typeof OPENED {
    const frames = this.#frames;
    for (;;) {
      if (this.depth === 0) return value;
      const frame = frames[this.depth - 1] as _Frame;
      const type = frame.type;
      if (type === T_ARRAY || type === T_PUSH) {
        (frame.container as RedisReply[])[frame.length - frame.remaining] = value;
      } else if (type === T_MAP) {
        if (frame.remaining % 2 === 0) frame.key = value;
        else (frame.container as Map<RedisReply, RedisReply>).set(frame.key, value);
      } else if (type === T_SET) (frame.container as Set<RedisReply>).add(value);
      if (--frame.remaining > 0) return OPENED;
      this.depth--;
      const done = frame.container;
      frame.container = null;
      frame.key = null;
      // A finished attribute is dropped; the value after it takes its place.
      if (type === T_ATTR) return OPENED;
      value = type === T_PUSH ? new RespPush(done as RedisReply[]) : done;
    }
  }
}
