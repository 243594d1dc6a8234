/**
 * Incremental RESP2/RESP3 decoder. Replies are parsed once, in linear time, whatever the chunking:
 * aggregates live on an explicit stack of frames, a bulk string split across chunks is copied once
 * into its final array, and only a partial header line is ever carried between chunks.
 * @module
 */
import { ProtocolError, RedisError } from "../errors.ts";
import type { RedisReply } from "../types.ts";
import {
  _ascii,
  _double,
  _fail,
  _finishBulk,
  _integer,
  _length,
  _signedDigits,
  _simpleString,
  _utf8,
  _view,
  MINUS,
  NINE,
  PLUS,
  ZERO,
} from "./_resp_scalars.ts";
import {
  CR,
  EMPTY,
  LF,
  MAX_LENGTH_DIGITS,
  MAX_LINE,
  OPENED,
  T_ARRAY,
  T_ATTR,
  T_BLOB_ERROR,
  T_BULK,
  T_MAP,
  T_PUSH,
  T_SET,
  T_VERBATIM,
} from "./_resp_grammar.ts";
import { _AggregateStack } from "./_aggregate_stack.ts";
import { _ChunkQueue } from "./_chunk_queue.ts";

/**
 * Returned by {@linkcode RespDecoder.next} when the bytes fed so far do not hold a whole reply.
 *
 * @example
 * ```ts
 * import { NEED_MORE, RespDecoder } from "@x/rcluster/resp";
 * const d = new RespDecoder();
 * d.feed(new TextEncoder().encode("+O"));
 * console.log(d.next() === NEED_MORE); // true
 * ```
 */
export const NEED_MORE: unique symbol = Symbol("NEED_MORE");

/**
 * Limits that protect the client from a misbehaving server or a corrupted stream.
 *
 * @example
 * ```ts
 * import { type DecoderOptions, RespDecoder } from "@x/rcluster/resp";
 * const options: DecoderOptions = { maxBulkBytes: 1 << 20, maxDepth: 8 };
 * new RespDecoder(options);
 * ```
 */
export interface DecoderOptions {
  /** Largest bulk string, blob error or verbatim string accepted. @default 536870912 (512 MiB) */
  maxBulkBytes?: number;
  /** Deepest nesting of aggregates (arrays, maps, sets, pushes, attributes). @default 64 */
  maxDepth?: number;
  /** Largest element count of one aggregate (pairs for maps). @default 4294967295 */
  maxArrayLength?: number;
}

/**
 * Turns a byte stream into replies. Feed socket chunks with `feed()`, then call `next()` until
 * it returns {@linkcode NEED_MORE}.
 *
 * @example
 * ```ts
 * import { NEED_MORE, RespDecoder } from "@x/rcluster/resp";
 * const d = new RespDecoder();
 * d.feed(new TextEncoder().encode("+OK\r\n:42\r\n"));
 * console.log(d.next(), d.next(), d.next() === NEED_MORE); // "OK" 42 true
 * ```
 */
export class RespDecoder {
  readonly #maxBulk: number;
  #failure: unknown = undefined;
  // Input: the chunk being parsed, then chunks fed but not reached yet.
  #buf: Uint8Array = EMPTY;
  #pos = 0;
  #queue = new _ChunkQueue();
  // A header line split across chunks is gathered here.
  #carry: Uint8Array = new Uint8Array(128);
  #carried = 0;
  // The last complete line: bytes[#lineStart, #lineEnd) of #lineBytes, CRLF excluded.
  #lineBytes: Uint8Array = EMPTY;
  #lineStart = 0;
  #lineEnd = 0;
  // A bulk payload that spans chunks: its type byte, target array, bytes filled, CRLF bytes seen.
  #bulkType = 0;
  #bulk: Uint8Array = EMPTY;
  #filled = 0;
  #crlfSeen = 0;
  #aggregates: _AggregateStack;

  /** Creates a decoder with the given limits. */
  constructor(options?: DecoderOptions) {
    this.#maxBulk = options?.maxBulkBytes ?? 512 * 1024 * 1024;
    this.#aggregates = new _AggregateStack(
      options?.maxDepth ?? 64,
      options?.maxArrayLength ?? 2 ** 32 - 1,
    );
  }

  /** Bytes fed but not yet parsed (a carried partial header line included). */
  get pending(): number {
    return this.#buf.length - this.#pos + this.#queue.bytes + this.#carried;
  }

  /**
   * Queues a chunk. The caller guarantees its bytes never change afterwards, so bulk replies
   * may be zero-copy views of it.
   */
  feed(chunk: Uint8Array): void {
    if (chunk.length === 0 || this.#failure !== undefined) return;
    if (this.#pos >= this.#buf.length && this.#queue.empty) {
      this.#buf = chunk;
      this.#pos = 0;
    } else {
      this.#queue.push(chunk);
    }
  }

  /**
   * Where the rest of a large bulk payload goes, when every byte fed so far is parsed and the
   * payload is still incomplete: the caller may read straight into it and report with
   * `bulkFilled()`, sparing a copy. `undefined` otherwise.
   */
  bulkSink(): Uint8Array | undefined {
    if (this.#bulkType === 0 || this.pending !== 0) return undefined;
    const want = this.#bulk.length - this.#filled;
    return want > 0 ? this.#bulk.subarray(this.#filled) : undefined;
  }

  /** Records `n` bytes read into the region `bulkSink()` returned. */
  bulkFilled(n: number): void {
    if (n < 0 || this.#bulkType === 0 || this.#filled + n > this.#bulk.length) {
      throw new RangeError(`bulkFilled(${n}) does not fit the pending bulk payload`);
    }
    this.#filled += n;
  }

  /**
   * The next complete reply, or {@linkcode NEED_MORE}. Throws `ProtocolError` on malformed input or
   * an exceeded limit; the decoder then stays failed and every later call throws the same error.
   */
  next(): RedisReply | typeof NEED_MORE {
    if (this.#failure !== undefined) throw this.#failure;
    try {
      return this.#parse();
    } catch (error) {
      // Nothing after a protocol violation can be trusted; drop the input and fail from now on.
      this.#failure = error;
      this.#buf = EMPTY;
      this.#pos = 0;
      this.#queue.clear();
      this.#carried = 0;
      throw error;
    }
  }

  #parse(): RedisReply | typeof NEED_MORE {
    for (;;) {
      let value: RedisReply | typeof NEED_MORE | typeof OPENED | undefined;
      if (this.#bulkType !== 0) value = this.#continueBulk();
      else if ((value = this.#wholeBulk()) !== undefined) { /* fast path taken */ }
      else if ((value = this.#wholeScalar()) !== undefined) { /* fast path taken */ }
      else if (!this.#readLine()) return NEED_MORE;
      else value = this.#parseLine();
      if (value === NEED_MORE) return NEED_MORE;
      if (value === OPENED) continue;
      if (this.#aggregates.depth === 0) return value;
      const done = this.#aggregates.add(value);
      if (done !== OPENED) return done;
    }
  }

  /** Fast path for the commonest frame, a bulk string wholly inside the current chunk. */
  #wholeBulk(): Uint8Array | undefined {
    const buf = this.#buf;
    const pos = this.#pos;
    const n = buf.length;
    // Reads stay in bounds: an out-of-bounds read would deoptimise this function.
    if (pos + 5 > n || buf[pos] !== T_BULK || this.#carried !== 0) return undefined;
    const limit = Math.min(n, pos + 1 + MAX_LENGTH_DIGITS);
    let i = pos + 1;
    let len = 0;
    for (; i < limit; i++) {
      const c = buf[i] as number;
      if (c < ZERO || c > NINE) break;
      len = len * 10 + c - ZERO;
    }
    const end = i + 2 + len;
    // Anything unusual (no digits, null, over the limit, split, bad CRLF) takes the general path.
    if (
      i === pos + 1 || end + 2 > n || buf[i] !== CR || buf[i + 1] !== LF ||
      buf[end] !== CR || buf[end + 1] !== LF || len > this.#maxBulk
    ) return undefined;
    this.#pos = end + 2;
    return _view(buf, i + 2, end);
  }

  /** `+OK` and small `:integers` whole in the current chunk, without the general line reader. */
  #wholeScalar(): RedisReply | undefined {
    const buf = this.#buf;
    const pos = this.#pos;
    const n = buf.length;
    if (pos + 4 > n || this.#carried !== 0) return undefined;
    const type = buf[pos];
    if (type === PLUS) {
      if (buf[pos + 1] !== 0x4f || buf[pos + 2] !== 0x4b || buf[pos + 3] !== CR) return undefined;
      if (pos + 4 >= n || buf[pos + 4] !== LF) return undefined;
      this.#pos = pos + 5;
      return "OK";
    }
    if (type !== 0x3a) return undefined;
    // Up to 15 digits, no sign: exact as a number; anything else takes the general path.
    const limit = Math.min(n, pos + 1 + MAX_LENGTH_DIGITS);
    let i = pos + 1;
    let v = 0;
    for (; i < limit; i++) {
      const c = buf[i] as number;
      if (c < ZERO || c > NINE) break;
      v = v * 10 + c - ZERO;
    }
    if (i === pos + 1 || i + 1 >= n || buf[i] !== CR || buf[i + 1] !== LF) return undefined;
    this.#pos = i + 2;
    return v;
  }

  #parseLine(): RedisReply | typeof NEED_MORE | typeof OPENED {
    const line = this.#lineBytes;
    const start = this.#lineStart + 1;
    const end = this.#lineEnd;
    if (start > end) _fail("empty line where a reply was expected");
    const type = line[start - 1] as number;
    switch (type) {
      case PLUS:
        return _simpleString(line, start, end);
      case MINUS:
        return new RedisError(_utf8(line, start, end));
      case 0x3a: // :
        return _integer(line, start, end);
      case T_BULK:
      case T_VERBATIM:
      case T_BLOB_ERROR: {
        const len = _length(line, start, end, type === T_BULK);
        if (len < 0) return null;
        if (len > this.#maxBulk) _fail(`bulk length ${len} exceeds maxBulkBytes ${this.#maxBulk}`);
        if (type === T_VERBATIM && len < 4) _fail("verbatim string shorter than its format prefix");
        return this.#startBulk(type, len);
      }
      case T_ARRAY:
      case T_MAP:
      case T_SET:
      case T_PUSH:
      case T_ATTR:
        return this.#aggregates.open(type, _length(line, start, end, type === T_ARRAY));
      case 0x5f: // _
        if (start !== end) _fail("null reply with a payload");
        return null;
      case 0x2c: // ,
        return _double(line, start, end);
      case 0x23: // #
        if (end - start === 1 && line[start] === 0x74) return true;
        if (end - start === 1 && line[start] === 0x66) return false;
        return _fail("invalid boolean");
      case 0x28: // (
        _signedDigits(line, start, end, "big number");
        return BigInt(_ascii(line, start, end));
      default:
        return _fail(`unknown RESP type byte 0x${type.toString(16)}`);
    }
  }

  #startBulk(type: number, len: number): RedisReply | typeof NEED_MORE {
    const buf = this.#buf;
    const pos = this.#pos;
    const avail = buf.length - pos;
    if (avail >= len + 2) {
      // The whole payload is in this chunk: hand out a view, copy nothing.
      if (buf[pos + len] !== CR || buf[pos + len + 1] !== LF) {
        _fail("bulk payload not followed by CRLF");
      }
      this.#pos = pos + len + 2;
      const view = _view(buf, pos, pos + len);
      return type === T_BULK ? view : _finishBulk(type, view);
    }
    this.#bulkType = type;
    this.#crlfSeen = 0;
    if (avail >= len) {
      this.#bulk = _view(buf, pos, pos + len);
      this.#filled = len;
      this.#pos = pos + len;
    } else {
      try {
        this.#bulk = new Uint8Array(len);
      } catch (cause) {
        throw new ProtocolError(`cannot allocate a ${len}-byte bulk reply`, { cause });
      }
      this.#bulk.set(_view(buf, pos, buf.length));
      this.#filled = avail;
      this.#pos = buf.length;
    }
    return this.#continueBulk();
  }

  /** Fills the pending bulk payload from the chunks available, then checks its CRLF. */
  #continueBulk(): RedisReply | typeof NEED_MORE {
    const bulk = this.#bulk;
    for (;;) {
      const buf = this.#buf;
      let pos = this.#pos;
      const want = bulk.length - this.#filled;
      if (want > 0) {
        const n = Math.min(want, buf.length - pos);
        bulk.set(_view(buf, pos, pos + n), this.#filled);
        this.#filled += n;
        pos += n;
      }
      while (this.#crlfSeen < 2 && pos < buf.length) {
        if (buf[pos++] !== (this.#crlfSeen === 0 ? CR : LF)) {
          _fail("bulk payload not followed by CRLF");
        }
        this.#crlfSeen++;
      }
      this.#pos = pos;
      if (this.#crlfSeen === 2) break;
      if (!this.#advance()) return NEED_MORE;
    }
    const type = this.#bulkType;
    this.#bulkType = 0;
    this.#bulk = EMPTY;
    return type === T_BULK ? bulk : _finishBulk(type, bulk);
  }

  /** Finds the next CRLF-terminated line, gathering it across chunks; false if none yet. */
  #readLine(): boolean {
    for (;;) {
      const buf = this.#buf;
      const n = buf.length;
      const start = this.#pos;
      const carried = this.#carried;
      if (carried > 0 && this.#carry[carried - 1] === CR) {
        if (start >= n) {
          if (!this.#advance()) return false;
          continue;
        }
        if (buf[start] !== LF) _fail("CR not followed by LF");
        this.#pos = start + 1;
        return this.#setCarriedLine(carried - 1);
      }
      const limit = Math.min(n, start + MAX_LINE - carried);
      let i = start;
      for (; i < limit; i++) {
        const c = buf[i];
        if (c === CR) break;
        if (c === LF) _fail("LF without CR");
      }
      if (i < limit && i + 1 < n) {
        if (buf[i + 1] !== LF) _fail("CR not followed by LF");
        this.#pos = i + 2;
        if (carried === 0) {
          this.#lineBytes = buf;
          this.#lineStart = start;
          this.#lineEnd = i;
          return true;
        }
        this.#appendCarry(buf, start, i);
        return this.#setCarriedLine(this.#carried);
      }
      if (i === limit && limit < n) _fail(`no CRLF within ${MAX_LINE} bytes`);
      // The chunk ends inside the line (maybe right after its CR): keep the piece, move on.
      this.#appendCarry(buf, start, n);
      if (!this.#advance()) return false;
    }
  }

  #setCarriedLine(end: number): true {
    this.#lineBytes = this.#carry;
    this.#lineStart = 0;
    this.#lineEnd = end;
    this.#carried = 0;
    return true;
  }

  #appendCarry(buf: Uint8Array, start: number, end: number): void {
    const need = this.#carried + end - start;
    if (need > this.#carry.length) {
      const grown = new Uint8Array(Math.max(need, this.#carry.length * 2));
      grown.set(this.#carry.subarray(0, this.#carried));
      this.#carry = grown;
    }
    this.#carry.set(_view(buf, start, end), this.#carried);
    this.#carried = need;
  }

  /** Moves to the next fed chunk; false (with the input drained) when there is none. */
  #advance(): boolean {
    const next = this.#queue.shift();
    this.#buf = next ?? EMPTY;
    this.#pos = 0;
    return next !== undefined;
  }
}
