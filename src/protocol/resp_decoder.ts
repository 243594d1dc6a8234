/**
 * Incremental RESP2/RESP3 decoder. Replies are parsed once, in linear time, whatever the chunking:
 * aggregates live on an explicit stack of frames, a bulk string split across chunks is copied once
 * into its final array, and only a partial header line is ever carried between chunks.
 * @module
 */
import { ProtocolError, RedisError } from "../errors.ts";
import { type RedisReply, RespPush, VerbatimString } from "../types.ts";
import {
  _ascii,
  _double,
  _fail,
  _integer,
  _signedDigits,
  _simpleString,
  _utf8,
  _view,
  MINUS,
  NINE,
  PLUS,
  ZERO,
} from "./_resp_scalars.ts";

/**
 * Returned by {@linkcode RespDecoder.next} when the bytes fed so far do not hold a whole reply.
 *
 * @example
 * ```ts
 * import { NEED_MORE, RespDecoder } from "./resp_decoder.ts";
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
 * import { type DecoderOptions, RespDecoder } from "./resp_decoder.ts";
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

const CR = 13;
const LF = 10;
/** A header line this long without CRLF is garbage, not a reply worth buffering. */
const MAX_LINE = 64 * 1024;
/** Lengths have at most this many digits, which keeps hand-parsed values exact. */
const MAX_LENGTH_DIGITS = 15;
const EMPTY = new Uint8Array(0);
/** Returned by `#parseLine` when it opened an aggregate or read an attribute header. */
const OPENED: unique symbol = Symbol("OPENED");

// RESP type bytes; aggregates double as frame kinds.
const T_ARRAY = 0x2a; // *
const T_MAP = 0x25; // %
const T_SET = 0x7e; // ~
const T_PUSH = 0x3e; // >
const T_ATTR = 0x7c; // |
const T_BULK = 0x24; // $
const T_VERBATIM = 0x3d; // =
const T_BLOB_ERROR = 0x21; // !

type _Container = RedisReply[] | Map<RedisReply, RedisReply> | Set<RedisReply> | null;

/** One aggregate being filled; frames are reused across replies. */
class _Frame {
  type = 0;
  length = 0;
  remaining = 0;
  container: _Container = null;
  key: RedisReply = null;
}

/**
 * Turns a byte stream into replies. Feed socket chunks with `feed()`, then call `next()` until
 * it returns {@linkcode NEED_MORE}.
 *
 * @example
 * ```ts
 * import { NEED_MORE, RespDecoder } from "./resp_decoder.ts";
 * const d = new RespDecoder();
 * d.feed(new TextEncoder().encode("+OK\r\n:42\r\n"));
 * console.log(d.next(), d.next(), d.next() === NEED_MORE); // "OK" 42 true
 * ```
 */
export class RespDecoder {
  readonly #maxBulk: number;
  readonly #maxDepth: number;
  readonly #maxArray: number;
  #failure: unknown = undefined;
  // Input: the chunk being parsed, then chunks fed but not reached yet.
  #buf: Uint8Array = EMPTY;
  #pos = 0;
  #queue: Uint8Array[] = [];
  #head = 0;
  #queued = 0;
  // A header line split across chunks is gathered here.
  #carry: Uint8Array = new Uint8Array(128);
  #carried = 0;
  // The last complete line: bytes[#ls, #le) of #lb, CRLF excluded.
  #lb: Uint8Array = EMPTY;
  #ls = 0;
  #le = 0;
  // A bulk payload that spans chunks: its type byte, target array, bytes filled, CRLF bytes seen.
  #bulkType = 0;
  #bulk: Uint8Array = EMPTY;
  #filled = 0;
  #crlfSeen = 0;
  #frames: _Frame[] = [];
  #depth = 0;

  /** Creates a decoder with the given limits. */
  constructor(options?: DecoderOptions) {
    this.#maxBulk = options?.maxBulkBytes ?? 512 * 1024 * 1024;
    this.#maxDepth = options?.maxDepth ?? 64;
    this.#maxArray = options?.maxArrayLength ?? 2 ** 32 - 1;
  }

  /** Bytes fed but not yet parsed (a carried partial header line included). */
  get pending(): number {
    return this.#buf.length - this.#pos + this.#queued + this.#carried;
  }

  /**
   * Queues a chunk. The caller guarantees its bytes never change afterwards, so bulk replies
   * may be zero-copy views of it.
   */
  feed(chunk: Uint8Array): void {
    if (chunk.length === 0 || this.#failure !== undefined) return;
    if (this.#pos >= this.#buf.length && this.#head === this.#queue.length) {
      this.#buf = chunk;
      this.#pos = 0;
    } else {
      this.#queue.push(chunk);
      this.#queued += chunk.length;
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
      this.#queue = [];
      this.#head = 0;
      this.#queued = 0;
      this.#carried = 0;
      throw error;
    }
  }

  #parse(): RedisReply | typeof NEED_MORE {
    const frames = this.#frames;
    for (;;) {
      let value: RedisReply | typeof NEED_MORE | typeof OPENED | undefined;
      if (this.#bulkType !== 0) value = this.#continueBulk();
      else if ((value = this.#wholeBulk()) !== undefined) { /* fast path taken */ }
      else if ((value = this.#wholeScalar()) !== undefined) { /* fast path taken */ }
      else if (!this.#readLine()) return NEED_MORE;
      else value = this.#parseLine();
      if (value === NEED_MORE) return NEED_MORE;
      if (value === OPENED) continue;
      // Hand the value to the enclosing aggregates, closing every one it completes.
      for (;;) {
        if (this.#depth === 0) return value;
        const frame = frames[this.#depth - 1] as _Frame;
        const type = frame.type;
        if (type === T_ARRAY || type === T_PUSH) {
          (frame.container as RedisReply[])[frame.length - frame.remaining] = value;
        } else if (type === T_MAP) {
          if (frame.remaining % 2 === 0) frame.key = value;
          else (frame.container as Map<RedisReply, RedisReply>).set(frame.key, value);
        } else if (type === T_SET) (frame.container as Set<RedisReply>).add(value);
        if (--frame.remaining > 0) break;
        this.#depth--;
        const done = frame.container;
        frame.container = null;
        frame.key = null;
        // A finished attribute is dropped; the value after it takes its place.
        if (type === T_ATTR) break;
        value = type === T_PUSH ? new RespPush(done as RedisReply[]) : done;
      }
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
    const lb = this.#lb;
    const start = this.#ls + 1;
    const end = this.#le;
    if (start > end) _fail("empty line where a reply was expected");
    const type = lb[start - 1] as number;
    switch (type) {
      case PLUS:
        return _simpleString(lb, start, end);
      case MINUS:
        return new RedisError(_utf8(lb, start, end));
      case 0x3a: // :
        return _integer(lb, start, end);
      case T_BULK:
      case T_VERBATIM:
      case T_BLOB_ERROR: {
        const len = this.#length(lb, start, end, type === T_BULK);
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
        return this.#openAggregate(type, this.#length(lb, start, end, type === T_ARRAY));
      case 0x5f: // _
        if (start !== end) _fail("null reply with a payload");
        return null;
      case 0x2c: // ,
        return _double(lb, start, end);
      case 0x23: // #
        if (end - start === 1 && lb[start] === 0x74) return true;
        if (end - start === 1 && lb[start] === 0x66) return false;
        return _fail("invalid boolean");
      case 0x28: // (
        _signedDigits(lb, start, end, "big number");
        return BigInt(_ascii(lb, start, end));
      default:
        return _fail(`unknown RESP type byte 0x${type.toString(16)}`);
    }
  }

  /** Parses a length header: digits, or exactly "-1" when `nullable`. */
  #length(lb: Uint8Array, start: number, end: number, nullable: boolean): number {
    if (nullable && end - start === 2 && lb[start] === MINUS && lb[start + 1] === 0x31) return -1;
    if (start === end || end - start > MAX_LENGTH_DIGITS) _fail("invalid length");
    let n = 0;
    for (let i = start; i < end; i++) {
      const c = lb[i] as number;
      if (c < ZERO || c > NINE) _fail(`invalid length: unexpected byte 0x${c.toString(16)}`);
      n = n * 10 + c - ZERO;
    }
    return n;
  }

  #openAggregate(type: number, len: number): RedisReply | typeof OPENED {
    if (len < 0) return null;
    if (len > this.#maxArray) _fail(`aggregate length ${len} exceeds maxArrayLength`);
    if (this.#depth >= this.#maxDepth) {
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
    const frame = this.#frames[this.#depth] ?? new _Frame();
    this.#frames[this.#depth++] = frame;
    frame.type = type;
    frame.length = frame.remaining = type === T_MAP || type === T_ATTR ? len * 2 : len;
    frame.container = container;
    return OPENED;
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
      return type === T_BULK ? view : this.#finishBulk(type, view);
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
    return type === T_BULK ? bulk : this.#finishBulk(type, bulk);
  }

  #finishBulk(type: number, bytes: Uint8Array): RedisReply {
    if (type === T_BLOB_ERROR) return new RedisError(_utf8(bytes, 0, bytes.length));
    if (bytes[3] !== 0x3a) _fail("verbatim string without a format prefix");
    return new VerbatimString(_ascii(bytes, 0, 3), bytes.subarray(4));
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
          this.#lb = buf;
          this.#ls = start;
          this.#le = i;
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
    this.#lb = this.#carry;
    this.#ls = 0;
    this.#le = end;
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
    const queue = this.#queue;
    if (this.#head === queue.length) {
      this.#buf = EMPTY;
      this.#pos = 0;
      if (this.#head > 0) {
        queue.length = 0;
        this.#head = 0;
      }
      return false;
    }
    const next = queue[this.#head] as Uint8Array;
    queue[this.#head++] = EMPTY;
    this.#queued -= next.length;
    this.#buf = next;
    this.#pos = 0;
    return true;
  }
}
