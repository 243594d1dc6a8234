/**
 * RESP scalars from bytes: integers, doubles, simple strings, text and zero-copy views.
 * @module
 */
import { decoder } from "../_utf8.ts";
import { ProtocolError, RedisError } from "../errors.ts";
import { type RedisReply, VerbatimString } from "../types.ts";
import { MAX_LENGTH_DIGITS, T_BLOB_ERROR } from "./_resp_grammar.ts";

export const MINUS = 0x2d;
export const PLUS = 0x2b;
export const ZERO = 0x30;
export const NINE = 0x39;
/** Up to this many bytes, String.fromCharCode beats TextDecoder's per-call overhead. */
const SHORT_TEXT = 24;

export function _fail(message: string): never {
  throw new ProtocolError(message);
}

export function _view(bytes: Uint8Array, start: number, end: number): Uint8Array {
  if (start === 0 && end === bytes.length) return bytes;
  // The constructor is ~30% cheaper than subarray(), which looks up Symbol.species.
  return new Uint8Array(bytes.buffer, bytes.byteOffset + start, end - start);
}

/** Text of bytes known to be ASCII (digits, formats). */
export function _ascii(bytes: Uint8Array, start: number, end: number): string {
  // Long runs also must not be spread as call arguments, which could overflow the stack.
  if (end - start > SHORT_TEXT) return decoder.decode(_view(bytes, start, end));
  return String.fromCharCode.apply(null, _view(bytes, start, end) as unknown as number[]);
}

/** UTF-8 text of `bytes[start, end)`. */
export function _utf8(bytes: Uint8Array, start: number, end: number): string {
  if (end - start <= SHORT_TEXT) {
    let i = start;
    while (i < end && (bytes[i] as number) < 0x80) i++;
    if (i === end) return _ascii(bytes, start, end);
  }
  return decoder.decode(_view(bytes, start, end));
}

function _equals(bytes: Uint8Array, start: number, end: number, ascii: string): boolean {
  if (end - start !== ascii.length) return false;
  for (let i = 0; i < ascii.length; i++) if (bytes[start + i] !== ascii.charCodeAt(i)) return false;
  return true;
}

/** Checks `[+-]?[0-9]+`, returning the index of the first digit. */
export function _signedDigits(bytes: Uint8Array, start: number, end: number, what: string): number {
  const first = bytes[start] === MINUS || bytes[start] === PLUS ? start + 1 : start;
  if (first >= end) _fail(`empty ${what}`);
  for (let i = first; i < end; i++) {
    const c = bytes[i] as number;
    if (c < ZERO || c > NINE) _fail(`invalid ${what}: unexpected byte 0x${c.toString(16)}`);
  }
  return first;
}

export function _integer(bytes: Uint8Array, start: number, end: number): number | bigint {
  const first = _signedDigits(bytes, start, end, "integer");
  if (end - first > 15) {
    const big = BigInt(_ascii(bytes, start, end));
    const safe = big <= BigInt(Number.MAX_SAFE_INTEGER) && big >= BigInt(Number.MIN_SAFE_INTEGER);
    return safe ? Number(big) : big;
  }
  let n = 0;
  for (let i = first; i < end; i++) n = n * 10 + (bytes[i] as number) - ZERO;
  return bytes[start] === MINUS ? 0 - n : n;
}

export function _double(bytes: Uint8Array, start: number, end: number): number {
  if (_equals(bytes, start, end, "inf") || _equals(bytes, start, end, "+inf")) return Infinity;
  if (_equals(bytes, start, end, "-inf")) return -Infinity;
  if (_equals(bytes, start, end, "nan") || _equals(bytes, start, end, "-nan")) return NaN;
  // Only number syntax may reach Number(), which would also accept "", "0x1f" or "Infinity".
  for (let i = start; i < end; i++) {
    const c = bytes[i] as number;
    const ok = (c >= ZERO && c <= NINE) || c === 0x2e || c === 0x65 || c === 0x45 || c === MINUS ||
      c === PLUS;
    if (!ok) _fail(`invalid double: unexpected byte 0x${c.toString(16)}`);
  }
  const n = end > start ? Number(_ascii(bytes, start, end)) : NaN;
  if (Number.isNaN(n)) _fail("invalid double");
  return n;
}

export function _simpleString(bytes: Uint8Array, start: number, end: number): string {
  // "OK" is by far the most common simple string; answer it without building a string.
  if (end - start === 2 && bytes[start] === 0x4f && bytes[start + 1] === 0x4b) return "OK";
  return _utf8(bytes, start, end);
}

/** Parses a length header: digits, or exactly "-1" when `nullable`. */
export function _length(lb: Uint8Array, start: number, end: number, nullable: boolean): number {
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

/** A verbatim string or blob error from its payload. */
export function _finishBulk(type: number, bytes: Uint8Array): RedisReply {
  if (type === T_BLOB_ERROR) return new RedisError(_utf8(bytes, 0, bytes.length));
  if (bytes[3] !== 0x3a) _fail("verbatim string without a format prefix");
  return new VerbatimString(_ascii(bytes, 0, 3), bytes.subarray(4));
}
