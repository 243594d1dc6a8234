import assert from "node:assert/strict";
import { crc16, keySlot, SLOT_COUNT } from "../../src/topology/slot.ts";
import type { RedisKey } from "../../src/types.ts";
import { prng } from "../_harness/keys.ts";

const te = new TextEncoder();

// Expected slots below were read from a real redis-server 7.0 (CLUSTER KEYSLOT).

Deno.test("crc16() is CRC16-XMODEM (check value of '123456789' is 0x31C3)", () => {
  assert.equal(crc16(te.encode("123456789")), 0x31c3);
  assert.equal(crc16(new Uint8Array()), 0);
});

Deno.test("crc16() checksums only the requested range", () => {
  const b = te.encode("xx123456789yy");
  assert.equal(crc16(b, { start: 2, end: 11 }), 0x31c3);
  assert.equal(crc16(b, { start: 2 }), crc16(te.encode("123456789yy")));
  assert.equal(crc16(b, { end: 2 }), crc16(te.encode("xx")));
});

Deno.test("keySlot() matches the server for plain keys", () => {
  assert.equal(SLOT_COUNT, 16384);
  assert.equal(keySlot("foo"), 12182);
  assert.equal(keySlot("bar"), 5061);
  assert.equal(keySlot(""), 0);
});

Deno.test("keySlot() puts keys sharing a hash tag in the same slot", () => {
  assert.equal(keySlot("{user1000}.following"), 3443);
  assert.equal(keySlot("{user1000}.followers"), 3443);
  assert.equal(keySlot("{bar}anything"), keySlot("bar"));
});

Deno.test("keySlot() hashes the whole key when the first hash tag is empty", () => {
  assert.equal(keySlot("foo{}{bar}"), 8363);
  assert.notEqual(keySlot("foo{}{bar}"), keySlot("bar"));
});

Deno.test("keySlot() hashes up to the first '}' after the first '{'", () => {
  assert.equal(keySlot("foo{{bar}}zap"), 4015);
  assert.equal(keySlot("foo{{bar}}zap"), keySlot("{bar"));
});

Deno.test("keySlot() hashes only the first non-empty hash tag", () => {
  assert.equal(keySlot("foo{bar}{zap}"), 5061);
  assert.equal(keySlot("foo{bar}{zap}"), keySlot("bar"));
});

Deno.test("keySlot() hashes the whole key when a '{' has no closing '}'", () => {
  assert.equal(keySlot("foo{bar"), crc16(te.encode("foo{bar")) & 0x3fff);
  assert.equal(keySlot("foo}bar{"), crc16(te.encode("foo}bar{")) & 0x3fff);
});

Deno.test("keySlot() hashes the UTF-8 bytes of a non-ASCII string key", () => {
  for (const s of ["日本語", "héllo{wörld}", "wörld", "emoji 🎉 {tag}"]) {
    assert.equal(keySlot(s), keySlot(te.encode(s)), s);
  }
  assert.equal(keySlot("日本語"), 12788);
  assert.equal(keySlot("héllo{wörld}"), 4850);
  assert.equal(keySlot("héllo{wörld}"), keySlot("wörld"));
});

Deno.test("keySlot() hashes a string key and its UTF-8 bytes alike, tags included", () => {
  for (const s of ["foo", "{user1000}.following", "foo{}{bar}", "foo{{bar}}zap", "a{b}{c}"]) {
    assert.equal(keySlot(s), keySlot(te.encode(s)), s);
  }
});

Deno.test("keySlot() hashes the raw bytes of a key that is not UTF-8", () => {
  assert.equal(keySlot(new Uint8Array([0xff, 0xfe])), 3374);
  // A hash tag is found by byte, whatever surrounds it.
  const tagged = new Uint8Array([0x61, 0x7b, 0xff, 0xfe, 0x7d, 0x62]); // a{\xff\xfe}b
  assert.equal(keySlot(tagged), 3374);
});

Deno.test("keySlot() honours the hash tag of a byte key viewing part of a larger buffer", () => {
  const buffer = te.encode("junk{user1000}.followingjunk");
  const view = buffer.subarray(4, 24);
  assert.equal(keySlot(view), keySlot("{user1000}.following"));
});

Deno.test("keySlot() always returns a slot in [0, 16383]", () => {
  for (let i = 0; i < 2000; i++) {
    const slot = keySlot(`key:${i}`);
    assert.ok(Number.isInteger(slot) && slot >= 0 && slot < SLOT_COUNT);
  }
});

Deno.test("keySlot() throws a TypeError for a key that is neither string nor bytes", () => {
  for (const bad of [42, 42n, null, undefined, {}, ["foo"], new ArrayBuffer(2)]) {
    assert.throws(() => keySlot(bad as unknown as RedisKey), TypeError);
  }
});

Deno.test("keySlot() of any string equals keySlot() of its UTF-8 bytes, lone surrogates included", () => {
  const rand = prng(2026);
  const units = [0x41, 0x7b, 0x7d, 0x7f, 0x80, 0xe9, 0x7ff, 0x800, 0x4e2d, 0xd83d, 0xde00, 0xffff];
  for (let round = 0; round < 20_000; round++) {
    const length = Math.floor(rand() * 12);
    const key = String.fromCharCode(
      ...Array.from({ length }, () => units[Math.floor(rand() * units.length)]!),
    );
    assert.equal(keySlot(key), keySlot(te.encode(key)), JSON.stringify(key));
  }
});
