import assert from "node:assert/strict";
import { decodeReply } from "../../src/protocol/decode_reply.ts";
import { RedisError } from "../../src/errors.ts";
import { type RedisReply, RespPush } from "../../src/types.ts";
import { bytes, decodeOne } from "../_harness/resp.ts";

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
