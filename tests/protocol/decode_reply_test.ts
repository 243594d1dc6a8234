import assert from "node:assert/strict";
import { decodeReply } from "../../src/protocol/decode_reply.ts";
import { RedisError } from "../../src/errors.ts";
import { type RedisReply, RespPush } from "../../src/types.ts";
import { bytes, decodeAll, decodeOne, seededInts } from "../_harness/resp.ts";

Deno.test("decodeReply() converts bulk and verbatim strings, recursively, without mutating", () => {
  const raw = decodeOne(
    "*6\r\n$5\r\nhello\r\n:1\r\n%1\r\n$1\r\nk\r\n*1\r\n$1\r\nv\r\n~1\r\n$2\r\né\r\n>2\r\n+msg\r\n$1\r\nx\r\n=7\r\ntxt:abc\r\n",
  );
  const decoded = decodeReply(raw);
  assert.deepEqual(decoded, [
    "hello",
    1,
    new Map([["k", ["v"]]]),
    new Set(["é"]),
    new RespPush(["msg", "x"]),
    "abc",
  ]);
  assert.ok(((raw as RedisReply[])[0]) instanceof Uint8Array);
  assert.equal(decodeReply(decodeOne("=6\r\nmkd:é\r\n")), "é");
});

Deno.test("decodeReply() returns scalars and errors as the same values", () => {
  const err = new RedisError("ERR x");
  assert.equal(decodeReply(err), err);
  for (const v of ["OK", 1, 2n, true, null, 1.5]) assert.equal(decodeReply(v), v);
  assert.equal(decodeReply(bytes("plain ascii")), "plain ascii");
  assert.equal(
    decodeReply(bytes("a much longer string that is not short and has ünïcode")),
    "a much longer string that is not short and has ünïcode",
  );
});

/** A random valid UTF-8 string: code points from every range, a BOM among them. */
function randomText(rand: (n: number) => number): string {
  const ranges = [[0x20, 0x7e], [0x80, 0x7ff], [0x800, 0xd7ff], [0xe000, 0xfffd], [
    0x10000,
    0x10ffff,
  ]];
  let s = rand(3) === 0 ? "\uFEFF" : "";
  for (let i = rand(40); i > 0; i--) {
    if (rand(10) === 0) s += "\uFEFF";
    const [lo, hi] = ranges[rand(ranges.length)]!;
    s += String.fromCodePoint(lo! + rand(hi! - lo! + 1));
  }
  return s;
}

Deno.test("decoded text equals the bytes the server sent, a leading BOM included, in every shape", () => {
  const rand = seededInts(41);
  for (let i = 0; i < 2000; i++) {
    const text = randomText(rand);
    const utf8 = bytes(text);
    const n = utf8.length;
    // A bulk string, a verbatim string and a map key, as RESP3 sends them.
    const wire = new Uint8Array([
      ...bytes(`*3\r\n$${n}\r\n`),
      ...utf8,
      ...bytes(`\r\n=${n + 4}\r\ntxt:`),
      ...utf8,
      ...bytes(`\r\n%1\r\n$${n}\r\n`),
      ...utf8,
      ...bytes("\r\n:1\r\n"),
    ]);
    const decoded = decodeReply(decodeAll(wire)[0]!);
    assert.deepEqual(decoded, [text, text, new Map([[text, 1]])], `seed 41, case ${i}`);
  }
  assert.equal(decodeReply(bytes("\uFEFFabc")), "\uFEFFabc");
});

Deno.test("invalid UTF-8 decodes with U+FFFD in place of each bad sequence", () => {
  assert.equal(decodeReply(new Uint8Array([0x61, 0xff, 0x62])), "a\uFFFDb");
  assert.equal(decodeReply(new Uint8Array([0xe2, 0x82])), "\uFFFD");
});
