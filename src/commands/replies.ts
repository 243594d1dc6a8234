/**
 * Reply transforms of the typed command methods. Each accepts the RESP2 and the RESP3 shape of
 * its reply, with bulk strings as `Uint8Array` (raw) or `string` (`decodeResponses`).
 * @module
 */
import { decoder } from "../_utf8.ts";
import { ProtocolError } from "../errors.ts";
import { type RedisReply, VerbatimString } from "../types.ts";

function unexpected(expected: string, r: RedisReply): ProtocolError {
  const got = r === null ? "null" : Array.isArray(r) ? "array" : r.constructor?.name ?? typeof r;
  return new ProtocolError(`unexpected reply: expected ${expected}, got ${got}`);
}

/** Text of a bulk, simple or verbatim string (or a number). */
export function _text(r: RedisReply): string {
  if (typeof r === "string") return r;
  if (r instanceof Uint8Array) return decoder.decode(r);
  if (r instanceof VerbatimString) return decoder.decode(r.bytes);
  if (typeof r === "number" || typeof r === "bigint") return String(r);
  throw unexpected("a string", r);
}

/** `_text`, keeping null. */
export const _textOrNull = (r: RedisReply): string | null => r === null ? null : _text(r);

/** A number from a RESP3 double/integer or a RESP2 bulk string such as `"1.5"` or `"-inf"`. */
export function _number(r: RedisReply): number {
  if (typeof r === "number") return r;
  if (typeof r === "bigint") return Number(r);
  const t = _text(r);
  if (t === "inf" || t === "+inf") return Infinity;
  if (t === "-inf") return -Infinity;
  const n = Number(t);
  if (t === "" || Number.isNaN(n)) throw unexpected("a number", r);
  return n;
}

/** `_number`, keeping null. */
export const _numberOrNull = (r: RedisReply): number | null => r === null ? null : _number(r);

/** An array, from an array or a RESP3 set. */
export function _array(r: RedisReply): RedisReply[] {
  if (Array.isArray(r)) return r;
  if (r instanceof Set) return [...r];
  throw unexpected("an array", r);
}

/** An array of numbers or nulls (ZMSCORE). */
export const _numbers = (r: RedisReply): (number | null)[] => _array(r).map(_numberOrNull);

/** RESP3 sets become arrays; anything else (a single element, null) stays. */
export const _arrayIfSet = (r: RedisReply): RedisReply => r instanceof Set ? [...r] : r;

function assign(record: Record<string, RedisReply>, k: RedisReply, v: RedisReply): void {
  const key = _text(k);
  // A field named "__proto__" must stay a field, not replace the prototype.
  if (key === "__proto__") {
    Object.defineProperty(record, key, { value: v, enumerable: true, writable: true });
  } else record[key] = v;
}

/** A record from a RESP2 flat `[k, v, k, v]` array or a RESP3 map; keys always text. */
export function _record(r: RedisReply): Record<string, RedisReply> {
  const record: Record<string, RedisReply> = {};
  if (r instanceof Map) {
    for (const [k, v] of r) assign(record, k, v);
    return record;
  }
  const a = _array(r);
  for (let i = 0; i + 1 < a.length; i += 2) assign(record, a[i] ?? null, a[i + 1] ?? null);
  return record;
}

/** Pairs from a flat `[a, b, a, b]` array (RESP2) or an array of 2-arrays (RESP3). */
export function _pairList(r: RedisReply): [RedisReply, RedisReply][] {
  const a = _array(r);
  if (Array.isArray(a[0])) return a.map((p) => _array(p)).map((p) => [p[0] ?? null, p[1] ?? null]);
  const out: [RedisReply, RedisReply][] = [];
  for (let i = 0; i + 1 < a.length; i += 2) out.push([a[i] ?? null, a[i + 1] ?? null]);
  return out;
}

/** `{ member, score }` objects from any WITHSCORES / ZPOP* / ZSCAN shape. */
export const _scored = (r: RedisReply): { member: RedisReply; score: number }[] =>
  _pairList(r).map(([member, score]) => ({ member, score: _number(score) }));

/** A SCAN-family reply `[cursor, items]` with the cursor as text and `items` transformed. */
export function _scan(items: (r: RedisReply) => unknown): (r: RedisReply) => [string, unknown] {
  return (r) => {
    const [cursor = null, list = null] = _array(r);
    return [_text(cursor), items(list)];
  };
}

/** A stream entry `[id, [f, v, ...]]`; fields are null for entries deleted since delivery. */
export function _entry(r: RedisReply): { id: string; fields: Record<string, RedisReply> | null } {
  const [id = null, fields = null] = _array(r);
  return { id: _text(id), fields: fields === null ? null : _record(fields) };
}

/** Stream entries (XRANGE, XREVRANGE). */
export const _entries = (r: RedisReply): ReturnType<typeof _entry>[] => _array(r).map(_entry);

/** XREAD / XREADGROUP: `[[key, entries], ...]` (RESP2) or a map (RESP3), or null. */
export function _streams(
  r: RedisReply,
): { key: string; entries: ReturnType<typeof _entry>[] }[] | null {
  if (r === null) return null;
  const batches = r instanceof Map ? [...r] : _array(r).map(pairOf);
  return batches.map(([k, v]) => ({ key: _text(k), entries: _entries(v) }));
}

function pairOf(r: RedisReply): [RedisReply, RedisReply] {
  const [a = null, b = null] = _array(r);
  return [a, b];
}

/** XPENDING summary form. */
export function _pendingSummary(r: RedisReply): {
  count: number;
  smallest: string | null;
  greatest: string | null;
  consumers: { name: string; count: number }[];
} {
  const [count = null, smallest = null, greatest = null, consumers = null] = _array(r);
  return {
    count: _number(count),
    smallest: _textOrNull(smallest),
    greatest: _textOrNull(greatest),
    consumers: consumers === null
      ? []
      : _array(consumers).map(pairOf).map(([n, c]) => ({ name: _text(n), count: _number(c) })),
  };
}

/** XPENDING extended form. */
export const _pendingEntries = (r: RedisReply): {
  id: string;
  consumer: string;
  idleMs: number;
  deliveries: number;
}[] =>
  _array(r).map((e) => {
    const [id = null, consumer = null, idle = null, deliveries = null] = _array(e);
    return {
      id: _text(id),
      consumer: _text(consumer),
      idleMs: _number(idle),
      deliveries: _number(deliveries),
    };
  });
