import assert from "node:assert/strict";
import { VerbatimString } from "../../src/types.ts";
import { b, build, reply } from "../_harness/commands.ts";

Deno.test("hgetall() turns RESP2 arrays and RESP3 maps, raw or decoded, into a record", () => {
  const expected = { f: b("v"), g: b("w") };
  assert.deepEqual(reply("hgetall", ["h"], [b("f"), b("v"), b("g"), b("w")]), expected);
  assert.deepEqual(
    reply("hgetall", ["h"], new Map([[b("f"), b("v")], [b("g"), b("w")]])),
    expected,
  );
  assert.deepEqual(reply("hgetall", ["h"], ["f", "v"]), { f: "v" });
  assert.deepEqual(reply("hgetall", ["h"], new Map([["f", "v"]])), { f: "v" });
  assert.deepEqual(reply("hgetall", ["h"], []), {});
  const tricky = reply("hgetall", ["h"], ["__proto__", "x"]);
  assert.equal(Object.getPrototypeOf(tricky), Object.prototype);
  assert.deepEqual(Object.entries(tricky as object), [["__proto__", "x"]]);
});

Deno.test("score replies become numbers from RESP2 bulks and RESP3 doubles", () => {
  assert.equal(reply("zscore", ["z", "m"], b("1.5")), 1.5);
  assert.equal(reply("zscore", ["z", "m"], "-inf"), -Infinity);
  assert.equal(reply("zscore", ["z", "m"], 2.25), 2.25);
  assert.equal(reply("zscore", ["z", "m"], null), null);
  assert.equal(reply("zincrby", ["z", 1, "m"], b("inf")), Infinity);
  assert.deepEqual(reply("zmscore", ["z", "a", "b"], [b("1"), null]), [1, null]);
  assert.deepEqual(reply("zmscore", ["z", "a"], [3]), [3]);
  assert.equal(reply("incrbyfloat", ["n", 0.1], b("10.6")), 10.6);
  assert.equal(reply("hincrbyfloat", ["h", "f", 1], "2"), 2);
  assert.equal(reply("zadd", ["z", { a: 1 }, { incr: true }], null), null);
  assert.equal(reply("zadd", ["z", { a: 1 }, { incr: true }], b("4")), 4);
  assert.equal(build("zadd", "z", { a: 1 }).transform, undefined);
  assert.throws(() => reply("zscore", ["z", "m"], b("abc")), /expected a number/);
});

Deno.test("withScores, pops and ZSCAN give { member, score } from flat and nested shapes", () => {
  const withScores = ["z", 0, -1, { withScores: true }];
  const expected = [{ member: b("a"), score: 1 }, { member: b("b"), score: 2 }];
  assert.deepEqual(reply("zrange", withScores, [b("a"), b("1"), b("b"), b("2")]), expected);
  assert.deepEqual(reply("zrange", withScores, [[b("a"), 1], [b("b"), 2]]), expected);
  assert.deepEqual(reply("zrangebyscore", ["z", 0, 5, { withScores: true }], [["a", 1]]), [
    { member: "a", score: 1 },
  ]);
  assert.equal(build("zrange", "z", 0, -1).transform, undefined);
  // RESP3 ZPOPMIN without a count replies with one flat pair, with a count with nested pairs.
  assert.deepEqual(reply("zpopmin", ["z"], ["a", 1]), [{ member: "a", score: 1 }]);
  assert.deepEqual(reply("zpopmax", ["z", { count: 1 }], [["a", 1]]), [{ member: "a", score: 1 }]);
  assert.deepEqual(reply("zpopmin", ["z"], []), []);
});

Deno.test("set replies become arrays and random picks keep their single-value shape", () => {
  assert.deepEqual(reply("smembers", ["s"], new Set([b("a"), b("b")])), [b("a"), b("b")]);
  assert.deepEqual(reply("smembers", ["s"], ["a"]), ["a"]);
  assert.deepEqual(reply("sunion", ["{s}1", "{s}2"], new Set(["a"])), ["a"]);
  assert.deepEqual(reply("spop", ["s", { count: 2 }], new Set(["a", "b"])), ["a", "b"]);
  assert.equal(reply("spop", ["s"], "a"), "a");
  assert.equal(reply("spop", ["s"], null), null);
  assert.deepEqual(
    reply("hrandfield", ["h", { count: 2, withValues: true }], ["f", "v", "g", "w"]),
    [
      ["f", "v"],
      ["g", "w"],
    ],
  );
  assert.deepEqual(reply("hrandfield", ["h", { count: 1, withValues: true }], [[b("f"), b("v")]]), [
    [b("f"), b("v")],
  ]);
  assert.equal(build("hrandfield", "h", { count: 1 }).transform, undefined);
});

Deno.test("stream replies become { id, fields } entries and { key, entries } batches", () => {
  const entry = [b("1-1"), [b("f"), b("v")]];
  assert.deepEqual(reply("xrange", ["s", "-", "+"], [entry]), [{
    id: "1-1",
    fields: { f: b("v") },
  }]);
  const batch = [{ key: "s", entries: [{ id: "1-1", fields: { f: b("v") } }] }];
  assert.deepEqual(reply("xread", [{ s: "0" }], [[b("s"), [entry]]]), batch);
  assert.deepEqual(reply("xread", [{ s: "0" }], new Map([[b("s"), [entry]]])), batch);
  assert.equal(reply("xread", [{ s: "$" }, { block: 10 }], null), null);
  assert.deepEqual(reply("xreadgroup", ["g", "c", { s: "0" }], new Map([["s", [["1-1", null]]]])), [
    { key: "s", entries: [{ id: "1-1", fields: null }] },
  ]);
  assert.equal(reply("xadd", ["s", "*", { f: 1 }], b("1-1")), "1-1");
  assert.equal(reply("xadd", ["s", "*", { f: 1 }, { nomkstream: true }], null), null);
});

Deno.test("xpending() gives a summary, or entries when a range is asked", () => {
  assert.deepEqual(reply("xpending", ["s", "g"], [2, b("1-1"), b("2-1"), [[b("c1"), b("2")]]]), {
    count: 2,
    smallest: "1-1",
    greatest: "2-1",
    consumers: [{ name: "c1", count: 2 }],
  });
  assert.deepEqual(reply("xpending", ["s", "g"], [0, null, null, null]), {
    count: 0,
    smallest: null,
    greatest: null,
    consumers: [],
  });
  const range = ["s", "g", { start: "-", end: "+", count: 10 }];
  assert.deepEqual(reply("xpending", range, [["1-1", "c1", 500, 1]]), [
    { id: "1-1", consumer: "c1", idleMs: 500, deliveries: 1 },
  ]);
});

Deno.test("text replies decode bulk, verbatim and simple strings", () => {
  assert.equal(reply("info", [], new VerbatimString("txt", b("# Server\r\n"))), "# Server\r\n");
  assert.equal(reply("info", ["server"], b("# Server")), "# Server");
  assert.equal(reply("info", [], "# Server"), "# Server");
  assert.equal(reply("objectEncoding", ["k"], b("listpack")), "listpack");
  assert.equal(reply("objectEncoding", ["k"], null), null);
  assert.equal(reply("scriptLoad", ["return 1"], b("e0e1")), "e0e1");
});
