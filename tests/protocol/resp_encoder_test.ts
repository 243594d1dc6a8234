import assert from "node:assert/strict";
import { CommandWriter, encodeCommand } from "../../src/protocol/resp_encoder.ts";
import { bytes, decodeAll, text } from "../_harness/resp.ts";

Deno.test("encodeCommand() writes an array of bulk strings", () => {
  assert.equal(
    text(encodeCommand(["SET", "key", "value"])),
    "*3\r\n$3\r\nSET\r\n$3\r\nkey\r\n$5\r\nvalue\r\n",
  );
  assert.equal(text(encodeCommand(["PING"])), "*1\r\n$4\r\nPING\r\n");
  assert.equal(text(encodeCommand(["SET", "k", ""])), "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$0\r\n\r\n");
});

Deno.test("encodeCommand() results stay intact after later calls", () => {
  const first = encodeCommand(["GET", "a"]);
  for (let i = 0; i < 10_000; i++) encodeCommand(["GET", `key:${i}`]);
  assert.equal(text(first), "*2\r\n$3\r\nGET\r\n$1\r\na\r\n");
});

Deno.test("encoder copies Uint8Array arguments untouched", () => {
  const payload = new Uint8Array([0x00, 0xff, 0x0d, 0x0a, 0x24, 0x2a, 0x80]);
  const out = encodeCommand(["SET", "k", payload]);
  const header = bytes("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$7\r\n");
  assert.deepEqual(out.subarray(0, header.length), header);
  assert.deepEqual(out.subarray(header.length, header.length + 7), payload);
  assert.equal(text(out.subarray(header.length + 7)), "\r\n");
  const [decoded] = decodeAll(out) as [Uint8Array[]];
  assert.deepEqual(decoded[2], payload);
});

Deno.test("encoder writes strings as UTF-8 with the byte length in the header", () => {
  const cases = [
    "héllo wörld 🎉",
    "é".repeat(3), // reserved header digits shrink: 9 bytes max, 6 written
    "é".repeat(40), // beyond the hand-copied ASCII path; 120 max, 80 written
    "x".repeat(31) + "é",
    "a".repeat(9),
    "a".repeat(10),
    "a".repeat(32),
    "a".repeat(33),
    "a".repeat(100),
    "日本語".repeat(5000),
    "ü".repeat(70_000), // encoded separately from the buffer
    "lone \ud800 surrogate",
  ];
  for (const s of cases) {
    const utf8 = bytes(s);
    const out = encodeCommand(["SET", s]);
    const expected = new Uint8Array([
      ...bytes(`*2\r\n$3\r\nSET\r\n$${utf8.length}\r\n`),
      ...utf8,
      13,
      10,
    ]);
    assert.deepEqual(out, expected, `string of length ${s.length}`);
  }
});

Deno.test("encoder writes numbers and bigints in decimal", () => {
  const cases: [number | bigint, string][] = [
    [0, "0"],
    [-0, "0"],
    [7, "7"],
    [42, "42"],
    [-42, "-42"],
    [1.5, "1.5"],
    [-2.25, "-2.25"],
    [1e-7, "1e-7"],
    [Number.MAX_SAFE_INTEGER, "9007199254740991"],
    [Number.MIN_SAFE_INTEGER, "-9007199254740991"],
    [1e21, "1000000000000000000000"],
    [-(2 ** 60), "-1152921504606846976"],
    [123n, "123"],
    [-5n, "-5"],
    [2n ** 100n, "1267650600228229401496703205376"],
  ];
  for (const [n, s] of cases) {
    assert.equal(
      text(encodeCommand(["X", n])),
      `*2\r\n$1\r\nX\r\n$${s.length}\r\n${s}\r\n`,
      String(n),
    );
  }
});

Deno.test("write() throws a TypeError naming the argument and appends nothing", () => {
  const w = new CommandWriter();
  w.write(["GET", "a"]);
  const before = w.length;
  const bad: [unknown, RegExp][] = [
    [undefined, /^argument 2 of SET is undefined$/],
    [null, /^argument 2 of SET is null$/],
    [{}, /^argument 2 of SET is an object/],
    [[1], /^argument 2 of SET is an object/],
    [NaN, /^argument 2 of SET is NaN$/],
    [Infinity, /^argument 2 of SET is Infinity$/],
    [true, /^argument 2 of SET is a boolean$/],
    [Symbol("s"), /^argument 2 of SET is a symbol$/],
    [new DataView(new ArrayBuffer(1)), /^argument 2 of SET is an object \(DataView\)$/],
  ];
  for (const [value, message] of bad) {
    const args = ["SET", "k", value, "tail"] as unknown as string[];
    assert.throws(
      () => w.write(args),
      (e: unknown) => e instanceof TypeError && message.test(e.message),
    );
    assert.equal(w.length, before);
  }
  assert.throws(() => w.write([]), TypeError);
  assert.throws(
    () => encodeCommand([undefined] as unknown as string[]),
    /argument 0 of command is undefined/,
  );
  w.write(["GET", "b"]);
  assert.equal(text(w.take()), "*2\r\n$3\r\nGET\r\n$1\r\na\r\n*2\r\n$3\r\nGET\r\n$1\r\nb\r\n");
});

Deno.test("take() views stay valid until the second following take()", () => {
  const w = new CommandWriter({ initialCapacity: 64 });
  assert.equal(w.take().length, 0);
  w.write(["SET", "first", "1"]);
  const first = w.take();
  const firstText = text(first);
  w.write(["SET", "second", "2"]);
  const second = w.take();
  w.write(["SET", "third", "3".repeat(200)]); // grows the third buffer
  assert.equal(text(first), firstText);
  assert.equal(text(second), "*3\r\n$3\r\nSET\r\n$6\r\nsecond\r\n$1\r\n2\r\n");
  assert.equal(w.length, 232);
  assert.equal(text(w.take()), `*3\r\n$3\r\nSET\r\n$5\r\nthird\r\n$200\r\n${"3".repeat(200)}\r\n`);
});

Deno.test("a buffer grown for a huge value is dropped after take()", () => {
  const w = new CommandWriter();
  w.write(["SET", "big", new Uint8Array(3 * 1024 * 1024)]);
  const big = w.take();
  assert.ok(big.buffer.byteLength >= 3 * 1024 * 1024);
  for (let i = 0; i < 6; i++) {
    w.write(["GET", "k"]);
    assert.equal(w.take().buffer.byteLength, 16 * 1024);
  }
});

Deno.test("takeChunks() puts large arguments in pieces of their own, between buffer pieces", () => {
  const w = new CommandWriter();
  const big = new Uint8Array(100 * 1024).fill(0x61);
  w.write(["GET", "a"]);
  w.write(["SET", "k", big]);
  big.fill(0x62); // the caller may reuse its array as soon as write() returns
  w.write(["GET", "b"]);
  const chunks = w.takeChunks();
  assert.equal(chunks.length, 3);
  assert.deepEqual(chunks[1], new Uint8Array(100 * 1024).fill(0x61));
  assert.equal(
    text(chunks[0]!),
    `*2\r\n$3\r\nGET\r\n$1\r\na\r\n*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$${big.length}\r\n`,
  );
  assert.equal(text(chunks[2]!), "\r\n*2\r\n$3\r\nGET\r\n$1\r\nb\r\n");
  assert.equal(w.length, 0);
});

Deno.test("scratch buffers of large arguments are reused once recycled, also through take()", () => {
  const w = new CommandWriter();
  const huge = "x".repeat(200 * 1024);
  w.write(["SET", "k", huge]);
  const first = w.takeChunks();
  w.recycle(first);
  w.write(["SET", "k", huge]);
  const second = w.takeChunks();
  assert.equal(second[1]!.buffer, first[1]!.buffer);
  w.recycle(second);
  w.write(["SET", "k", huge]);
  assert.equal(w.take().length, 200 * 1024 + 31);
  w.write(["SET", "k", huge]);
  assert.equal(w.takeChunks()[1]!.buffer, first[1]!.buffer);
});

Deno.test("a command rejected after a large argument leaves nothing of itself behind", () => {
  const w = new CommandWriter();
  w.write(["GET", "a"]);
  const before = w.length;
  const big = "x".repeat(200 * 1024);
  assert.throws(() => w.write(["SET", big, null as unknown as string]), TypeError);
  assert.equal(w.length, before);
  w.write(["GET", "b"]);
  assert.equal(text(w.take()), "*2\r\n$3\r\nGET\r\n$1\r\na\r\n*2\r\n$3\r\nGET\r\n$1\r\nb\r\n");
});
