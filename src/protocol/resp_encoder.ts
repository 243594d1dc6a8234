/**
 * RESP command encoder: each command is written as an array of bulk strings into a reusable,
 * growable buffer, so encoding a pipeline allocates nothing per command beyond a view for each
 * long or non-ASCII string.
 * @module
 */
import { encoder } from "../_utf8.ts";
import type { RedisArgument } from "../types.ts";

const STAR = 0x2a;
const DOLLAR = 0x24;
const MINUS = 0x2d;
const CR = 13;
const LF = 10;
const ZERO = 0x30;
/** Capacity of a fresh buffer unless the caller asks otherwise. */
const DEFAULT_CAPACITY = 16 * 1024;
/** Buffers grown beyond this are not kept after `take()`, so one huge value does not pin memory. */
const SHRINK_ABOVE = 1024 * 1024;
/** ASCII strings up to this many units are copied by hand: `encodeInto` costs ~150 ns a call. */
const SHORT_STRING = 32;
/** Longer strings are encoded separately so the buffer is not grown to three bytes per unit. */
const HUGE_STRING = 64 * 1024;
/**
 * Encoding into fresh memory costs ~15x encoding into memory already touched (page faults), so
 * scratch buffers of huge strings come back after their write, up to this many bytes per writer.
 */
const SPARE_LIMIT = 16 * 1024 * 1024;
/** Arguments from this size on go out as pieces of their own instead of growing the buffer. */
const LARGE_ARGUMENT = 64 * 1024;
/** Taken views stay valid for two more `take()` calls, so three buffers rotate. */
const RING = 3;
const EMPTY = new Uint8Array(0);

function _digits(n: number): number {
  if (n < 10) return 1;
  if (n < 100) return 2;
  if (n < 1000) return 3;
  if (n < 10000) return 4;
  let d = 5;
  for (let limit = 100000; n >= limit; limit *= 10) d++;
  return d;
}

/** Writes non-negative safe integer `n` in decimal at `p`; returns the position after it. */
function _putUint(buf: Uint8Array, p: number, n: number): number {
  const end = p + _digits(n);
  p = end;
  do {
    const q = Math.floor(n / 10);
    buf[--p] = ZERO + (n - q * 10);
    n = q;
  } while (n > 0);
  return end;
}

function _putCrlf(buf: Uint8Array, p: number): number {
  buf[p] = CR;
  buf[p + 1] = LF;
  return p + 2;
}

/** Writes `*<n>\r\n` or `$<n>\r\n` at `p`; returns the position after it. */
function _putHeader(buf: Uint8Array, p: number, type: number, n: number): number {
  buf[p] = type;
  return _putCrlf(buf, _putUint(buf, p + 1, n));
}

function _describe(value: unknown): string {
  if (value === null) return "null";
  if (value === undefined) return "undefined";
  if (typeof value === "number") return Number.isNaN(value) ? "NaN" : String(value);
  if (typeof value === "object") {
    return `an object (${value.constructor?.name ?? "null prototype"})`;
  }
  return `a ${typeof value}`;
}

/**
 * Encodes commands into one growable buffer that a connection flushes with `take()`.
 *
 * @example
 * ```ts
 * import { CommandWriter } from "@x/rcluster/resp";
 * const w = new CommandWriter();
 * w.write(["SET", "key", 42]);
 * w.write(["GET", "key"]);
 * const bytes = w.take(); // both commands, ready for one socket write
 * console.log(bytes.length);
 * ```
 */
export class CommandWriter {
  readonly #initial: number;
  readonly #ring: (Uint8Array | undefined)[] = [];
  #slot = 0;
  #buf: Uint8Array;
  #pos = 0;
  /** Where the part of `#buf` not yet in `#chunks` starts. */
  #mark = 0;
  /** Finished pieces of this batch, in order: buffer views and large arguments as they are. */
  #chunks: Uint8Array[] = [];
  #chunkBytes = 0;
  /** Scratch buffers of huge strings: lent out in chunks, idle ones kept for reuse. */
  readonly #lent = new WeakSet<ArrayBufferLike>();
  #spares: Uint8Array[] = [];

  /** Creates a writer; spare buffers are allocated on first use, then reused across batches. */
  constructor(options?: {
    /** Size in bytes of each buffer before it grows (at least 64). @default 16384 */
    initialCapacity?: number;
  }) {
    this.#initial = Math.max(64, options?.initialCapacity ?? DEFAULT_CAPACITY);
    this.#buf = new Uint8Array(this.#initial);
  }

  /** Bytes written and not yet taken. */
  get length(): number {
    return this.#chunkBytes + this.#pos - this.#mark;
  }

  /**
   * Appends one command. Throws a `TypeError` naming the argument position for values that are
   * not a string, finite number, bigint or `Uint8Array`; on throw nothing is appended.
   */
  write(args: readonly RedisArgument[]): void {
    const count = args.length;
    if (count === 0) throw new TypeError("cannot encode an empty command");
    const start = this.#pos;
    const chunks = this.#chunks.length;
    const mark = this.#mark;
    const chunkBytes = this.#chunkBytes;
    try {
      this.#ensure(16);
      this.#pos = _putHeader(this.#buf, this.#pos, STAR, count);
      for (let i = 0; i < count; i++) {
        const arg: unknown = args[i];
        if (typeof arg === "string") this.#writeString(arg);
        else if (arg instanceof Uint8Array) this.#writeBytes(arg);
        else if (typeof arg === "number" && Number.isFinite(arg)) this.#writeNumber(arg);
        else if (typeof arg === "bigint") this.#writeAscii(arg.toString());
        else {
          const name = typeof args[0] === "string" ? args[0] : "command";
          throw new TypeError(`argument ${i} of ${name} is ${_describe(arg)}`);
        }
      }
    } catch (error) {
      // Half a command must never reach the socket, whatever failed (a bad argument, memory).
      this.#pos = start;
      this.recycle(this.#chunks.splice(chunks));
      this.#mark = mark;
      this.#chunkBytes = chunkBytes;
      throw error;
    }
  }

  /**
   * Returns a view of all pending bytes and starts a fresh batch. The view stays valid until the
   * second following `take()`, which covers one socket write in flight while the next batch fills.
   * Copies when the batch holds large arguments; a connection uses `takeChunks()` instead.
   */
  take(): Uint8Array {
    const chunks = this.takeChunks();
    if (chunks.length <= 1) return chunks[0] ?? EMPTY;
    const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
    let at = 0;
    for (const c of chunks) {
      out.set(c, at);
      at += c.length;
    }
    this.recycle(chunks);
    return out;
  }

  /**
   * All pending bytes as pieces to write in order, and a fresh batch. Arguments of 64 KiB and
   * more are pieces of their own, in scratch buffers that `recycle()` takes back once written.
   * Buffer views stay valid as with `take()`.
   */
  takeChunks(): Uint8Array[] {
    if (this.#pos > this.#mark) this.#chunks.push(this.#buf.subarray(this.#mark, this.#pos));
    const chunks = this.#chunks;
    if (this.#pos > 0) this.#rotate();
    this.#chunks = [];
    this.#chunkBytes = 0;
    return chunks;
  }

  /** Takes back the scratch buffers among written chunks, so the next huge string reuses one. */
  recycle(chunks: readonly Uint8Array[]): void {
    for (const c of chunks) {
      if (!this.#lent.delete(c.buffer)) continue;
      const whole = new Uint8Array(c.buffer);
      const kept = this.#spares.reduce((n, b) => n + b.length, 0);
      if (kept + whole.length <= SPARE_LIMIT) this.#spares.push(whole);
    }
  }

  #scratch(min: number): Uint8Array {
    const i = this.#spares.findIndex((b) => b.length >= min);
    const buf = i === -1 ? new Uint8Array(min) : this.#spares.splice(i, 1)[0]!;
    this.#lent.add(buf.buffer);
    return buf;
  }

  #rotate(): void {
    const buf = this.#buf;
    const oversized = buf.length > SHRINK_ABOVE && buf.length > this.#initial;
    this.#ring[this.#slot] = oversized ? undefined : buf;
    this.#slot = (this.#slot + 1) % RING;
    this.#buf = this.#ring[this.#slot] ?? new Uint8Array(this.#initial);
    this.#pos = 0;
    this.#mark = 0;
  }

  /** A large argument goes out as its own piece: header in the buffer, bytes untouched. */
  #writeLarge(bytes: Uint8Array): void {
    this.#ensure(24);
    this.#pos = _putHeader(this.#buf, this.#pos, DOLLAR, bytes.length);
    const head = this.#buf.subarray(this.#mark, this.#pos);
    this.#chunks.push(head, bytes);
    this.#chunkBytes += head.length + bytes.length;
    this.#mark = this.#pos;
    this.#pos = _putCrlf(this.#buf, this.#pos);
  }

  #ensure(extra: number): void {
    const need = this.#pos + extra;
    if (need <= this.#buf.length) return;
    let cap = this.#buf.length * 2;
    while (cap < need) cap *= 2;
    const grown = new Uint8Array(cap);
    grown.set(this.#buf.subarray(0, this.#pos));
    this.#buf = grown;
  }

  #writeNumber(n: number): void {
    if (!Number.isSafeInteger(n)) {
      // String(1e21) is "1e+21"; BigInt gives the plain decimal digits Redis expects for integers.
      this.#writeAscii(Number.isInteger(n) ? BigInt(n).toString() : String(n));
      return;
    }
    const negative = n < 0;
    const abs = negative ? -n : n;
    const len = _digits(abs) + (negative ? 1 : 0);
    this.#ensure(len + 8);
    const buf = this.#buf;
    let p = _putHeader(buf, this.#pos, DOLLAR, len);
    if (negative) buf[p++] = MINUS;
    this.#pos = _putCrlf(buf, _putUint(buf, p, abs));
  }

  /** Writes a string known to be ASCII (decimal numbers). */
  #writeAscii(s: string): void {
    const len = s.length;
    this.#ensure(len + 24);
    const buf = this.#buf;
    let p = _putHeader(buf, this.#pos, DOLLAR, len);
    for (let i = 0; i < len; i++) buf[p++] = s.charCodeAt(i);
    this.#pos = _putCrlf(buf, p);
  }

  #writeBytes(bytes: Uint8Array): void {
    const len = bytes.length;
    if (len >= LARGE_ARGUMENT) {
      // Copied, so the caller may reuse its array at once; into reused memory, so cheaply.
      const scratch = this.#scratch(len);
      scratch.set(bytes);
      return this.#writeLarge(scratch.subarray(0, len));
    }
    this.#ensure(len + 24);
    const buf = this.#buf;
    const p = _putHeader(buf, this.#pos, DOLLAR, len);
    buf.set(bytes, p);
    this.#pos = _putCrlf(buf, p + len);
  }

  #writeString(s: string): void {
    const len = s.length;
    if (len <= SHORT_STRING && this.#writeShortAscii(s)) return;
    if (len > HUGE_STRING) {
      const scratch = this.#scratch(len * 3);
      this.#writeLarge(scratch.subarray(0, encoder.encodeInto(s, scratch).written));
      return;
    }
    // Reserve the header for the worst case (3 bytes per unit), encode, then close the gap.
    const max = len * 3;
    const reserved = _digits(max);
    this.#ensure(max + reserved + 5);
    const buf = this.#buf;
    const header = this.#pos;
    const payload = header + reserved + 3;
    const written = encoder.encodeInto(s, buf.subarray(payload)).written;
    const gap = reserved - _digits(written);
    if (gap > 0) buf.copyWithin(payload - gap, payload, payload + written);
    this.#pos = _putCrlf(buf, _putHeader(buf, header, DOLLAR, written) + written);
  }

  /** Copies a short string by hand; returns false (leaving `length` unchanged) if not ASCII. */
  #writeShortAscii(s: string): boolean {
    const len = s.length;
    this.#ensure(len + 8);
    const buf = this.#buf;
    let p = _putHeader(buf, this.#pos, DOLLAR, len);
    for (let i = 0; i < len; i++) {
      const c = s.charCodeAt(i);
      if (c > 0x7f) return false;
      buf[p++] = c;
    }
    this.#pos = _putCrlf(buf, p);
    return true;
  }
}

const shared = new CommandWriter();
/** Typed-array allocation costs ~1 µs in Deno, so small results are carved from a shared slab. */
const SLAB_SIZE = 64 * 1024;
let slab = new Uint8Array(SLAB_SIZE);
let slabUsed = 0;

/**
 * Encodes one command as a RESP array of bulk strings. The result is the caller's to keep; small
 * results are views of a shared slab (as Node's `Buffer` pool does), so do not read `.buffer`.
 *
 * @example
 * ```ts
 * import { encodeCommand } from "@x/rcluster/resp";
 * const bytes = encodeCommand(["GET", "key"]);
 * console.log(new TextDecoder().decode(bytes)); // "*2\r\n$3\r\nGET\r\n$3\r\nkey\r\n"
 * ```
 */
export function encodeCommand(args: readonly RedisArgument[]): Uint8Array {
  shared.write(args);
  const bytes = shared.take();
  const n = bytes.length;
  if (n > SLAB_SIZE / 8) return bytes.slice();
  if (slabUsed + n > SLAB_SIZE) {
    slab = new Uint8Array(SLAB_SIZE);
    slabUsed = 0;
  }
  const out = slab.subarray(slabUsed, slabUsed + n);
  out.set(bytes);
  slabUsed += n;
  return out;
}
