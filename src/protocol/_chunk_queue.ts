/**
 * Chunks fed to a decoder but not reached yet, in order.
 * @module
 */
import { EMPTY } from "./_resp_grammar.ts";

/** A FIFO of byte chunks over an array with a moving head, emptied in bulk. */
export class _ChunkQueue {
  #chunks: Uint8Array[] = [];
  #head = 0;
  /** Bytes held. */
  bytes = 0;

  /** Whether no chunk is waiting. */
  get empty(): boolean {
    return this.#head === this.#chunks.length;
  }

  push(chunk: Uint8Array): void {
    this.#chunks.push(chunk);
    this.bytes += chunk.length;
  }

  /** The next chunk, or `undefined` (the queue then resets its storage). */
  shift(): Uint8Array | undefined {
    const chunks = this.#chunks;
    if (this.#head === chunks.length) {
      if (this.#head > 0) this.clear();
      return undefined;
    }
    const next = chunks[this.#head] as Uint8Array;
    chunks[this.#head++] = EMPTY;
    this.bytes -= next.length;
    return next;
  }

  clear(): void {
    this.#chunks = [];
    this.#head = 0;
    this.bytes = 0;
  }
}
