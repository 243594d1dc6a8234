import assert from "node:assert/strict";
import { CommandWriter } from "../../src/protocol/resp_encoder.ts";
import { NEED_MORE, RespDecoder } from "../../src/protocol/resp_decoder.ts";
import { decodeReply } from "../../src/protocol/decode_reply.ts";
import { ProtocolError, RedisError } from "../../src/errors.ts";
import { type RedisReply, RespPush, VerbatimString } from "../../src/types.ts";
import {
  assertProtocolError,
  bytes,
  decodeAll,
  decodeChunks,
  decodeOne,
  seededInts,
  text,
} from "../_harness/resp.ts";

Deno.test("encoded commands decode back to their arguments", () => {
  const w = new CommandWriter({ initialCapacity: 64 });
  const commands: (string | number | Uint8Array)[][] = [];
  const rand = seededInts(7);
  for (let i = 0; i < 500; i++) {
    const args: (string | number | Uint8Array)[] = ["CMD"];
    for (let j = rand(6); j > 0; j--) {
      const kind = rand(3);
      if (kind === 0) args.push("ké".repeat(rand(50)));
      else if (kind === 1) args.push(rand(1e9) - 5e8);
      else args.push(new Uint8Array(rand(40)).map(() => rand(256)));
    }
    commands.push(args);
    w.write(args);
  }
  const decoded = decodeAll(w.take());
  assert.equal(decoded.length, commands.length);
  decoded.forEach((reply, i) => {
    const expected = (commands[i] as (string | number | Uint8Array)[]).map((a) =>
      typeof a === "number" ? bytes(String(a)) : typeof a === "string" ? bytes(a) : a
    );
    assert.deepEqual(reply, expected);
  });
});

Deno.test("simple strings, errors and integers decode to their documented values", () => {
  assert.equal(decodeOne("+OK\r\n"), "OK");
  assert.equal(decodeOne("+\r\n"), "");
  assert.equal(decodeOne("+hello world\r\n"), "hello world");
  assert.equal(decodeOne("+héllo\r\n"), "héllo");
  const err = decodeOne("-MOVED 3999 127.0.0.1:6381\r\n");
  assert.ok(err instanceof RedisError);
  assert.equal(err.kind, "MOVED");
  assert.equal(err.slot, 3999);
  assert.equal(err.address, "127.0.0.1:6381");
  const blob = decodeOne("!21\r\nSYNTAX invalid syntax\r\n");
  assert.ok(blob instanceof RedisError);
  assert.equal(blob.message, "SYNTAX invalid syntax");
  assert.equal(blob.code, "SYNTAX");
  assert.equal(decodeOne(":0\r\n"), 0);
  assert.ok(Object.is(decodeOne(":-0\r\n"), 0));
  assert.equal(decodeOne(":-5\r\n"), -5);
  assert.equal(decodeOne(":+7\r\n"), 7);
  assert.equal(decodeOne(":1234567890123456\r\n"), 1234567890123456);
  assert.equal(decodeOne(":9007199254740991\r\n"), Number.MAX_SAFE_INTEGER);
  assert.equal(decodeOne(":-9007199254740991\r\n"), Number.MIN_SAFE_INTEGER);
  assert.equal(decodeOne(":9007199254740992\r\n"), 9007199254740992n);
  assert.equal(decodeOne(":-12345678901234567890\r\n"), -12345678901234567890n);
});

Deno.test("bulk strings decode to zero-copy views; nulls decode to null", () => {
  const binaryPayload = new Uint8Array([0x61, 13, 10, 0, 0xff, 0x62]);
  const chunk = new Uint8Array([
    ...bytes("$3\r\nbar\r\n$0\r\n\r\n$6\r\n"),
    ...binaryPayload,
    ...bytes("\r\n$-1\r\n*-1\r\n_\r\n"),
  ]);
  const [bar, empty, binary, n1, n2, n3] = decodeAll(chunk) as Uint8Array[];
  assert.deepEqual(bar, bytes("bar"));
  assert.equal(bar?.buffer, chunk.buffer);
  assert.deepEqual(empty, new Uint8Array(0));
  assert.deepEqual(binary, binaryPayload);
  assert.deepEqual([n1, n2, n3], [null, null, null]);
});

Deno.test("RESP3 aggregates and scalars decode to their documented values", () => {
  assert.deepEqual(decodeOne("*0\r\n"), []);
  assert.deepEqual(decodeOne("*3\r\n:1\r\n*2\r\n+a\r\n$-1\r\n-ERR x\r\n"), [
    1,
    ["a", null],
    new RedisError("ERR x"),
  ]);
  assert.deepEqual(
    decodeOne("%2\r\n+a\r\n:1\r\n+b\r\n*1\r\n#f\r\n"),
    new Map<RedisReply, RedisReply>([["a", 1], ["b", [false]]]),
  );
  assert.deepEqual(decodeOne("%0\r\n"), new Map());
  assert.deepEqual(decodeOne("~3\r\n+x\r\n:2\r\n+x\r\n"), new Set(["x", 2]));
  assert.deepEqual(decodeOne("~0\r\n"), new Set());
  assert.equal(decodeOne(",1.5\r\n"), 1.5);
  assert.equal(decodeOne(",-0.5e3\r\n"), -500);
  assert.equal(decodeOne(",10\r\n"), 10);
  assert.equal(decodeOne(",inf\r\n"), Infinity);
  assert.equal(decodeOne(",-inf\r\n"), -Infinity);
  assert.ok(Number.isNaN(decodeOne(",nan\r\n")));
  assert.equal(decodeOne("#t\r\n"), true);
  assert.equal(decodeOne("#f\r\n"), false);
  assert.equal(
    decodeOne("(3492890328409238509324850943850943825024385\r\n"),
    3492890328409238509324850943850943825024385n,
  );
  assert.equal(decodeOne("(-1\r\n"), -1n);
  const verbatim = decodeOne("=15\r\ntxt:Some string\r\n");
  assert.ok(verbatim instanceof VerbatimString);
  assert.equal(verbatim.format, "txt");
  assert.equal(text(verbatim.bytes), "Some string");
  const push = decodeOne(">3\r\n+message\r\n+ch\r\n$2\r\nhi\r\n");
  assert.ok(push instanceof RespPush);
  assert.deepEqual(push.data, ["message", "ch", bytes("hi")]);
  assert.deepEqual(decodeOne(">0\r\n"), new RespPush([]));
});

Deno.test("attributes are read and discarded, at top level and inside aggregates", () => {
  const attr = "|1\r\n+key-popularity\r\n%2\r\n$1\r\na\r\n,0.19\r\n$1\r\nb\r\n,0.54\r\n";
  assert.deepEqual(decodeAll(`${attr}*2\r\n:2039123\r\n:9543892\r\n+next\r\n`), [
    [2039123, 9543892],
    "next",
  ]);
  assert.deepEqual(decodeOne(`*2\r\n:1\r\n${attr}:2\r\n`), [1, 2]);
  assert.deepEqual(
    decodeOne(`|0\r\n%1\r\n${attr}+k\r\n|1\r\n+a\r\n+b\r\n+v\r\n`),
    new Map([["k", "v"]]),
  );
});

Deno.test("pending counts bytes fed but not yet parsed", () => {
  const d = new RespDecoder();
  d.feed(bytes("+OK\r\n:1"));
  assert.equal(d.pending, 7);
  assert.equal(d.next(), "OK");
  assert.equal(d.pending, 2);
  assert.equal(d.next(), NEED_MORE);
  d.feed(bytes("2\r\n"));
  assert.equal(d.next(), 12);
  assert.equal(d.pending, 0);
  assert.equal(d.next(), NEED_MORE);
});

const MIXED = [
  "+OK\r\n",
  "-ERR unknown command\r\n",
  ":1000\r\n",
  ":-9007199254740993\r\n",
  "$5\r\nhello\r\n",
  "$8\r\nab\r\n\r\ncd\r\n",
  "$0\r\n\r\n",
  "$-1\r\n",
  "*-1\r\n",
  "*0\r\n",
  "*3\r\n$3\r\nfoo\r\n:42\r\n*2\r\n+x\r\n-WRONGTYPE bad\r\n",
  "%2\r\n+first\r\n:1\r\n$6\r\nsecond\r\n~2\r\n#t\r\n,3.25\r\n",
  "~3\r\n+a\r\n+b\r\n_\r\n",
  ",inf\r\n",
  ",-1.5e-3\r\n",
  "#f\r\n",
  "(12345678901234567890123\r\n",
  "=9\r\nmkd:# hi!\r\n",
  "!10\r\nERR oops!!\r\n",
  ">4\r\n+pubsub\r\n+message\r\n+ch\r\n$3\r\nmsg\r\n",
  "|1\r\n+ttl\r\n:3600\r\n$5\r\nvalue\r\n",
  "*2\r\n|1\r\n+a\r\n+b\r\n*1\r\n*1\r\n*1\r\n:7\r\n%0\r\n",
  `$300\r\n${"z".repeat(300)}\r\n`,
  "+héllo wörld\r\n",
].join("");

Deno.test("a mixed stream decodes identically however it is chunked", () => {
  const stream = bytes(MIXED);
  const expected = decodeAll(stream);
  assert.equal(expected.length, 24);
  const byteByByte = Array.from(stream, (_, i) => stream.subarray(i, i + 1));
  assert.deepEqual(decodeChunks(byteByByte), expected);
  assert.deepEqual(decodeChunks(byteByByte, true), expected);
  for (let split = 1; split < stream.length; split++) {
    assert.deepEqual(
      decodeChunks([stream.subarray(0, split), stream.subarray(split)]),
      expected,
      `split at ${split}`,
    );
  }
  const rand = seededInts(12345);
  for (let round = 0; round < 1000; round++) {
    const chunks: Uint8Array[] = [];
    for (let at = 0; at < stream.length;) {
      const size = 1 + rand(rand(2) ? 8 : 200);
      // Copies, not views, so zero-copy replies cannot lean on one shared buffer.
      chunks.push(stream.slice(at, at + size));
      at += size;
    }
    assert.deepEqual(decodeChunks(chunks, rand(4) === 0), expected, `round ${round}`);
  }
});

Deno.test("a 64 MiB bulk in 64 KiB chunks is copied once into one array", () => {
  const size = 64 * 1024 * 1024;
  const chunkSize = 64 * 1024;
  const header = bytes(`$${size}\r\n`);
  const source = new Uint8Array(header.length + size + 2);
  source.set(header);
  for (let i = 0; i < size; i += 4096) source[header.length + i] = (i / 4096) & 0xff;
  source[header.length + size - 1] = 0xee;
  source.set([13, 10], header.length + size);
  // Chunk edges sit at 12 + k * 64 KiB: the first chunk is the header plus one payload byte, and
  // the last edge falls between the trailing CR and LF.
  const edges = [0];
  for (let at = 12; at < source.length; at += chunkSize) edges.push(at);
  edges.push(source.length);
  assert.equal(source[(edges.at(-2) as number) - 1], 13);
  const d = new RespDecoder();
  let reply: RedisReply | typeof NEED_MORE = NEED_MORE;
  for (let i = 1; i < edges.length; i++) {
    assert.equal(reply, NEED_MORE);
    d.feed(source.subarray(edges[i - 1], edges[i]));
    reply = d.next();
    // Nothing accumulates: each chunk is copied into the target as soon as it arrives.
    assert.equal(d.pending, 0);
  }
  assert.ok(reply instanceof Uint8Array);
  assert.equal(edges.length - 1, 1026);
  assert.equal(reply.length, size);
  // One exact-size allocation: neither an over-grown concatenation nor a view of the input.
  assert.equal(reply.buffer.byteLength, size);
  assert.notEqual(reply.buffer, source.buffer);
  assert.equal(reply[0], 0);
  assert.equal(reply[4096 * 7], 7);
  assert.equal(reply[4096 * 300], 300 & 0xff);
  assert.equal(reply[size - 1], 0xee);
  assert.equal(reply[size - 2], 0);
  assert.equal(d.next(), NEED_MORE);
});

Deno.test("many replies in one chunk are each parsed without copying", () => {
  const one = "*2\r\n$3\r\nkey\r\n$5\r\nvalue\r\n";
  const chunk = bytes(one.repeat(10_000));
  const d = new RespDecoder();
  d.feed(chunk);
  let count = 0;
  for (let r = d.next(); r !== NEED_MORE; r = d.next()) {
    const [k, v] = r as Uint8Array[];
    assert.equal(k?.buffer, chunk.buffer);
    assert.equal(v?.buffer, chunk.buffer);
    count++;
  }
  assert.equal(count, 10_000);
  assert.equal(d.pending, 0);
});

Deno.test("malformed input throws ProtocolError", () => {
  const bad = [
    "?x\r\n",
    "PING\r\n",
    "\r\n",
    "+OK\n",
    "+OK\r+\r\n",
    "+O\nK\r\n",
    "$3\r\nbarX\r\n",
    "$3\r\nbar\n\r\n",
    "$-2\r\n",
    "*-2\r\n",
    "%-1\r\n",
    "$\r\n",
    "$abc\r\n",
    "$ 3\r\n",
    "$1234567890123456\r\n",
    ":\r\n",
    ":-\r\n",
    ":12a\r\n",
    ":1.5\r\n",
    "#x\r\n",
    "#tt\r\n",
    ",\r\n",
    ",abc\r\n",
    ",Infinity\r\n",
    ",0x10\r\n",
    ",1e\r\n",
    "_x\r\n",
    "(\r\n",
    "(12a\r\n",
    "=3\r\nabc\r\n",
    "=5\r\ntxtab\r\n",
    "$?\r\n",
  ];
  for (const input of bad) {
    assert.throws(() => decodeAll(input), ProtocolError, JSON.stringify(input));
  }
});

Deno.test("a header line without CRLF is capped at 64 KiB", () => {
  assertProtocolError(bytes("+" + "a".repeat(70_000)));
  const d = new RespDecoder();
  const piece = bytes("a".repeat(1000));
  d.feed(bytes("+"));
  let error: unknown;
  for (let i = 0; i < 100 && error === undefined; i++) {
    d.feed(piece);
    try {
      assert.equal(d.next(), NEED_MORE);
    } catch (e) {
      error = e;
    }
  }
  assert.ok(error instanceof ProtocolError);
  assert.ok(d.pending <= 64 * 1024 + 1000);
});

Deno.test("a failed decoder keeps throwing the same error", () => {
  const d = new RespDecoder();
  d.feed(bytes("+OK\r\n?bad\r\n+OK\r\n"));
  assert.equal(d.next(), "OK");
  let first: unknown;
  try {
    d.next();
  } catch (e) {
    first = e;
  }
  assert.ok(first instanceof ProtocolError);
  d.feed(bytes("+OK\r\n"));
  assert.throws(() => d.next(), (e: unknown) => e === first);
  assert.throws(() => d.next(), (e: unknown) => e === first);
});

Deno.test("maxBulkBytes, maxDepth and maxArrayLength give ProtocolError", () => {
  assert.deepEqual(decodeChunks([bytes("$10\r\n0123456789\r\n")]), [bytes("0123456789")]);
  assertProtocolError("$11\r\n01234567890\r\n", { maxBulkBytes: 10 });
  assertProtocolError("=15\r\ntxt:Some string\r\n", { maxBulkBytes: 10 });
  assertProtocolError("!11\r\nERR 1234567\r\n", { maxBulkBytes: 10 });
  assertProtocolError(`$${2 ** 40}\r\n`);

  const nested = (n: number) => "*1\r\n".repeat(n) + ":1\r\n";
  const d = new RespDecoder({ maxDepth: 2 });
  d.feed(bytes(nested(2)));
  assert.deepEqual(d.next(), [[1]]);
  assertProtocolError(nested(3), { maxDepth: 2 });
  assertProtocolError("*1\r\n*1\r\n*0\r\n", { maxDepth: 2 });
  assertProtocolError("*1\r\n|1\r\n+a\r\n+b\r\n:1\r\n", { maxDepth: 1 });
  assert.deepEqual(decodeOne(nested(64)), JSON.parse("[".repeat(64) + "1" + "]".repeat(64)));
  assertProtocolError(nested(65));

  for (const header of ["*", "%", "~", ">", "|"]) {
    assertProtocolError(`${header}5\r\n`, { maxArrayLength: 4 });
  }
  const ok = new RespDecoder({ maxArrayLength: 2 });
  ok.feed(bytes("%2\r\n:1\r\n:2\r\n:3\r\n:4\r\n"));
  assert.deepEqual(ok.next(), new Map([[1, 2], [3, 4]]));
});

Deno.test("100k garbage inputs only ever yield values, NEED_MORE or ProtocolError", () => {
  const rand = seededInts(2024);
  const corpus = MIXED.split(/(?<=\r\n)(?=[-+:$*%~,#(=!>|_])/).map(bytes);
  const alphabet = bytes("+-:$*%~,#(=!>|_?\r\n\r\n0123456789-1tfinax");
  const randomByte = () => rand(3) === 0 ? rand(256) : alphabet[rand(alphabet.length)] as number;
  let values = 0;
  let protocolErrors = 0;
  for (let round = 0; round < 100_000; round++) {
    let input: number[];
    if (round % 2 === 0) {
      input = Array.from({ length: rand(48) }, randomByte);
    } else {
      input = [];
      for (let n = 1 + rand(3); n > 0; n--) {
        input.push(...(corpus[rand(corpus.length)] as Uint8Array));
      }
      for (let m = 1 + rand(4); m > 0; m--) {
        const at = rand(input.length + 1);
        const op = rand(3);
        if (op === 0) input[at] = randomByte();
        else if (op === 1) input.splice(at, 0, randomByte());
        else input.splice(at, 1 + rand(4));
      }
    }
    const data = new Uint8Array(input);
    const d = new RespDecoder({ maxBulkBytes: 1 << 20 });
    const cut = rand(data.length + 1);
    // Each returned reply consumes at least 3 bytes, so this budget is never reached legitimately.
    let budget = data.length + 2;
    try {
      for (const part of [data.subarray(0, cut), data.subarray(cut)]) {
        d.feed(part);
        for (let r = d.next(); r !== NEED_MORE; r = d.next()) {
          decodeReply(r);
          values++;
          if (--budget === 0) throw new Error(`no termination on ${JSON.stringify(text(data))}`);
        }
      }
    } catch (e) {
      if (!(e instanceof ProtocolError)) {
        throw new Error(`unexpected ${String(e)} on ${JSON.stringify(Array.from(data))}`);
      }
      protocolErrors++;
    }
  }
  assert.ok(values > 1000 && protocolErrors > 1000);
});

Deno.test("bulkSink() lets the reader fill a large bulk payload in place", () => {
  const d = new RespDecoder();
  assert.equal(d.bulkSink(), undefined);
  d.feed(new TextEncoder().encode("$10\r\nabc"));
  assert.equal(d.next(), NEED_MORE);
  const sink = d.bulkSink();
  assert.equal(sink?.length, 7);
  sink!.set(new TextEncoder().encode("defg"));
  d.bulkFilled(4);
  assert.equal(d.bulkSink()?.length, 3);
  assert.throws(() => d.bulkFilled(4), RangeError);
  d.feed(new TextEncoder().encode("hij\r\n+OK\r\n"));
  assert.equal(text(d.next() as Uint8Array), "abcdefghij");
  assert.equal(d.next(), "OK");
  assert.equal(d.bulkSink(), undefined);
});

Deno.test("the +OK and :integer fast paths agree with the general reader at their edges", () => {
  assert.deepEqual(decodeAll("+OK\r\n+OKAY\r\n+O\r\n:0\r\n:-5\r\n:42\r\n"), [
    "OK",
    "OKAY",
    "O",
    0,
    -5,
    42,
  ]);
  assert.deepEqual(decodeAll(":123456789012345\r\n:1234567890123456789\r\n"), [
    123456789012345,
    1234567890123456789n,
  ]);
  assert.deepEqual(decodeChunks([bytes("+OK\r"), bytes("\n:7"), bytes("\r\n")]), ["OK", 7]);
  assertProtocolError(":12\r\r\n");
  assertProtocolError("+OK\rX");
});
