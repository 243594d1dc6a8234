/**
 * Turns a runtime that pushes received chunks (Node's `data` events, a `ReadableStream`) into the
 * pull-style `Socket.read(into)` the connection's read loop uses: chunks queue until read, and the
 * producer is paused while too many bytes wait.
 * @module
 */

/** Bytes queued past which the producer is asked to pause. */
const HIGH_WATER = 1024 * 1024;

/** Queued received chunks, read into the caller's buffer. */
export class _ChunkReader {
  #chunks: Uint8Array[] = [];
  #queued = 0;
  #ended = false;
  #error: unknown = undefined;
  #waiter: PromiseWithResolvers<void> | undefined;
  #pause: (() => void) | undefined;
  #resume: (() => void) | undefined;
  #paused = false;

  /** `pause`/`resume` hold back the producer while too many bytes wait to be read. */
  constructor(pause?: () => void, resume?: () => void) {
    this.#pause = pause;
    this.#resume = resume;
  }

  /** A chunk arrived. */
  push(chunk: Uint8Array): void {
    if (chunk.length === 0 || this.#ended) return;
    this.#chunks.push(chunk);
    this.#queued += chunk.length;
    if (this.#queued > HIGH_WATER && !this.#paused && this.#pause !== undefined) {
      this.#paused = true;
      this.#pause();
    }
    this.#wake();
  }

  /** The peer closed; reads return what is queued, then `null`. */
  end(): void {
    this.#ended = true;
    this.#wake();
  }

  /** The socket failed; the next read rejects with `error` once the queue is read. */
  fail(error: unknown): void {
    if (this.#error === undefined) this.#error = error ?? new Error("socket failed");
    this.#ended = true;
    this.#wake();
  }

  /** Copies queued bytes into `into`, waiting for some when none are queued. */
  async read(into: Uint8Array): Promise<number | null> {
    while (this.#chunks.length === 0) {
      if (this.#error !== undefined) throw this.#error;
      if (this.#ended) return null;
      this.#waiter = Promise.withResolvers();
      await this.#waiter.promise;
    }
    let n = 0;
    while (n < into.length && this.#chunks.length > 0) {
      const chunk = this.#chunks[0]!;
      const take = Math.min(chunk.length, into.length - n);
      into.set(take === chunk.length ? chunk : chunk.subarray(0, take), n);
      n += take;
      if (take === chunk.length) this.#chunks.shift();
      else this.#chunks[0] = chunk.subarray(take);
    }
    this.#queued -= n;
    if (this.#paused && this.#queued <= HIGH_WATER / 2) {
      this.#paused = false;
      this.#resume?.();
    }
    return n;
  }

  #wake(): void {
    const w = this.#waiter;
    this.#waiter = undefined;
    w?.resolve();
  }
}
