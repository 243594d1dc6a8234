/** The in-order queue of commands awaiting replies on one connection. */
import type { RedisArgument } from "../types.ts";
import type { ReplySink } from "./connection_options.ts";

/** One command awaiting its reply. Mutable on purpose: it is settled in place. */
export interface _Pending {
  sink: ReplySink;
  decode: boolean;
  done: boolean;
  deadline: number;
  signal: AbortSignal | undefined;
  onAbort: (() => void) | undefined;
  name: RedisArgument | undefined;
  /** The write batch it was encoded into, and its byte range there. */
  batch: number;
  start: number;
  end: number;
  /** Cancelled before its batch was written: its bytes are left out, no reply is expected. */
  skipped: boolean;
  /** The caller's number for it, handed back with its outcome. */
  tag: number;
  /** It only reads: losing it loses no write (a stalled connection may then be replaced). */
  readOnly: boolean;
  /** Another node can serve it: it is failed as soon as its node stalls, to be retried there. */
  stallRetry: boolean;
}

/** A FIFO over an array with a moving head, compacted in bulk rather than per shift. */
export class _PendingQueue {
  #items: (_Pending | undefined)[] = [];
  #head = 0;

  get size(): number {
    return this.#items.length - this.#head;
  }

  push(p: _Pending): void {
    this.#items.push(p);
  }

  shift(): _Pending | undefined {
    if (this.#head >= this.#items.length) return undefined;
    const p = this.#items[this.#head];
    this.#items[this.#head++] = undefined;
    if (this.#head >= 1024 && this.#head * 2 >= this.#items.length) {
      this.#items = this.#items.slice(this.#head);
      this.#head = 0;
    }
    return p;
  }

  *values(): IterableIterator<_Pending> {
    for (let i = this.#head; i < this.#items.length; i++) yield this.#items[i]!;
  }

  /** The last `count` entries, oldest first. */
  *last(count: number): IterableIterator<_Pending> {
    for (let i = this.#items.length - count; i < this.#items.length; i++) yield this.#items[i]!;
  }

  /** Removes the skipped ones among the last `count` entries, keeping the others in order. */
  dropSkipped(count: number): void {
    const items = this.#items;
    let to = items.length - count;
    for (let from = to; from < items.length; from++) {
      const p = items[from]!;
      if (!p.skipped) items[to++] = p;
    }
    items.length = to;
  }

  drain(): _Pending[] {
    const out = this.#items.slice(this.#head) as _Pending[];
    this.#items = [];
    this.#head = 0;
    return out;
  }
}
