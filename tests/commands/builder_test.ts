import assert from "node:assert/strict";
import { COMMAND_TABLE } from "../../src/commands/command_table.ts";
import { argsOf, b, build, reply, throwsType } from "../_harness/commands.ts";

Deno.test("get() builds GET key and passes the options object through untouched", () => {
  const options = { timeoutMs: 50, readFrom: "replica" as const };
  const built = build("get", "foo", options);
  assert.deepEqual(built.args, ["GET", "foo"]);
  assert.equal(built.options, options);
  assert.equal(built.transform, undefined);
  assert.equal(build("get", "foo").options, undefined);
  assert.equal(build("get", "foo", undefined).options, undefined);
  const key = b("k\x00");
  assert.equal(build("get", key).args[1], key);
});

Deno.test("set() sends its options as redis-cli would, in SET's documented order", () => {
  assert.deepEqual(argsOf("set", "k", "v"), ["SET", "k", "v"]);
  assert.deepEqual(argsOf("set", "k", 1.5, { ex: 10, nx: true, get: true }), [
    "SET",
    "k",
    1.5,
    "NX",
    "GET",
    "EX",
    10,
  ]);
  assert.deepEqual(argsOf("set", "k", "v", { xx: true, keepttl: true }), [
    "SET",
    "k",
    "v",
    "XX",
    "KEEPTTL",
  ]);
  assert.deepEqual(argsOf("set", "k", "v", { pxat: 1700000000000, nx: false }), [
    "SET",
    "k",
    "v",
    "PXAT",
    1700000000000,
  ]);
});

Deno.test("set() rejects invalid or conflicting options before anything is sent", () => {
  throwsType(
    () => build("set", "k", "v", { ex: 0 }),
    /^set\(\): options\.ex must be a positive integer/,
  );
  throwsType(() => build("set", "k", "v", { ex: 1.5 }), /options\.ex must be a positive integer/);
  throwsType(() => build("set", "k", "v", { ex: 1, px: 1 }), /options\.ex and options\.px cannot/);
  throwsType(
    () => build("set", "k", "v", { ex: 1, keepttl: true }),
    /options\.ex and options\.keepttl/,
  );
  throwsType(() => build("set", "k", "v", { nx: true, xx: true }), /options\.nx and options\.xx/);
  throwsType(() => build("set", "k", "v", { nx: "yes" }), /options\.nx must be a boolean/);
  throwsType(() => build("set", "k", undefined), /^set\(\): value must be a string, finite number/);
  throwsType(() => build("set", "k", NaN), /value must be .* got number NaN/);
  throwsType(
    () => build("set", 42, "v"),
    /^set\(\): key must be a string or Uint8Array, got number 42/,
  );
});

Deno.test("variadic methods take a trailing plain object as the options", () => {
  const options = { timeoutMs: 5 };
  for (
    const [name, head, items] of [
      ["del", ["DEL"], ["a", "b"]],
      ["mget", ["MGET"], ["a", b("b")]],
      ["exists", ["EXISTS"], ["a"]],
      ["pfcount", ["PFCOUNT"], ["a", "b"]],
      ["sinter", ["SINTER"], ["{s}1", "{s}2"]],
    ] as const
  ) {
    const plain = build(name, ...items);
    assert.deepEqual(plain.args, [...head, ...items]);
    assert.equal(plain.options, undefined);
    const split = build(name, ...items, options);
    assert.deepEqual(split.args, [...head, ...items]);
    assert.equal(split.options, options);
  }
  const nullProto = Object.assign(Object.create(null), { timeoutMs: 1 });
  assert.equal(build("lpush", "l", "x", nullProto).options, nullProto);
  assert.deepEqual(argsOf("lpush", "l", "x", 2, 3n), ["LPUSH", "l", "x", 2, 3n]);
  assert.deepEqual(argsOf("hdel", "h", "f1", "f2", options), ["HDEL", "h", "f1", "f2"]);
  assert.deepEqual(argsOf("zrem", "z", "m", options), ["ZREM", "z", "m"]);
  assert.deepEqual(argsOf("bitop", "AND", "{b}d", "{b}1", "{b}2"), [
    "BITOP",
    "AND",
    "{b}d",
    "{b}1",
    "{b}2",
  ]);
});

Deno.test("variadic methods need at least one item, except pfadd() and pfmerge()", () => {
  throwsType(() => build("del"), /^del\(\): needs at least 1 of keys/);
  throwsType(
    () => build("del", { timeoutMs: 1 }),
    /^del\(\): keys\[0\] must be a string or Uint8Array/,
  );
  throwsType(() => build("sadd", "s"), /^sadd\(\): needs at least 1 of members/);
  throwsType(() => build("del", "a", 5), /^del\(\): keys\[1\] must be a string or Uint8Array/);
  assert.deepEqual(argsOf("pfadd", "h"), ["PFADD", "h"]);
  assert.deepEqual(argsOf("pfadd", "h", { timeoutMs: 1 }), ["PFADD", "h"]);
  assert.deepEqual(argsOf("pfmerge", "{h}d"), ["PFMERGE", "{h}d"]);
});

Deno.test("objects taken positionally are never mistaken for the options", () => {
  assert.deepEqual(build("mset", { a: "1", b: 2 }).args, ["MSET", "a", "1", "b", 2]);
  const options = { timeoutMs: 1 };
  const mset = build("mset", { a: "1" }, options);
  assert.deepEqual(mset.args, ["MSET", "a", "1"]);
  assert.equal(mset.options, options);
  assert.deepEqual(argsOf("mset", [["{k}a", 1], [b("{k}b"), "x"]]), [
    "MSET",
    "{k}a",
    1,
    b("{k}b"),
    "x",
  ]);
  assert.deepEqual(argsOf("msetnx", new Map([["a", 1]])), ["MSETNX", "a", 1]);
  assert.deepEqual(build("xadd", "s", "*", { f: "v" }).options, undefined);
  assert.deepEqual(build("xread", { s: "0" }).args, ["XREAD", "STREAMS", "s", "0"]);
  throwsType(() => build("mset", {}), /^mset\(\): entries must be a non-empty record/);
  throwsType(() => build("mset", [["a"]]), /entries must be a non-empty record, Map or array/);
});

Deno.test("hset() accepts a record, a Map, [field, value] pairs or one field and value", () => {
  const expected = ["HSET", "h", "f", "v", "n", 1];
  assert.deepEqual(argsOf("hset", "h", { f: "v", n: 1 }), expected);
  assert.deepEqual(
    argsOf("hset", "h", new Map<unknown, unknown>([["f", "v"], ["n", 1]])),
    expected,
  );
  assert.deepEqual(argsOf("hset", "h", [["f", "v"], ["n", 1]]), expected);
  assert.deepEqual(argsOf("hset", "h", "f", "v"), ["HSET", "h", "f", "v"]);
  const options = { timeoutMs: 1 };
  assert.equal(build("hset", "h", { f: "v" }, options).options, options);
  assert.equal(build("hset", "h", "f", "v", options).options, options);
  throwsType(() => build("hset", "h", { f: null }), /^hset\(\): fields must be a non-empty record/);
  throwsType(() => build("hset", "h", "f"), /^hset\(\): value must be/);
});

Deno.test("zadd() writes flags, then score before member, infinities as +inf/-inf", () => {
  assert.deepEqual(argsOf("zadd", "z", { a: 1, b: Infinity }, { gt: true, ch: true }), [
    "ZADD",
    "z",
    "GT",
    "CH",
    1,
    "a",
    "+inf",
    "b",
  ]);
  assert.deepEqual(argsOf("zadd", "z", [[-Infinity, "a"], [2.5, b("b")]]), [
    "ZADD",
    "z",
    "-inf",
    "a",
    2.5,
    b("b"),
  ]);
  assert.deepEqual(argsOf("zadd", "z", new Map([["a", 3]]), { incr: true }), [
    "ZADD",
    "z",
    "INCR",
    3,
    "a",
  ]);
  throwsType(
    () => build("zadd", "z", { a: 1, b: 2 }, { incr: true }),
    /^zadd\(\): options\.incr takes exactly one member/,
  );
  throwsType(() => build("zadd", "z", { a: NaN }), /^zadd\(\): members must be/);
  throwsType(
    () => build("zadd", "z", { a: 1 }, { nx: true, gt: true }),
    /options\.nx and options\.gt/,
  );
});

Deno.test("zrange() builds BYSCORE/BYLEX/REV/LIMIT/WITHSCORES and rejects invalid combinations", () => {
  assert.deepEqual(argsOf("zrange", "z", 0, -1), ["ZRANGE", "z", 0, -1]);
  assert.deepEqual(
    argsOf("zrange", "z", Infinity, "(1", {
      byScore: true,
      rev: true,
      limit: { offset: 0, count: 10 },
      withScores: true,
    }),
    ["ZRANGE", "z", "+inf", "(1", "BYSCORE", "REV", "LIMIT", 0, 10, "WITHSCORES"],
  );
  assert.deepEqual(argsOf("zrange", "z", "[a", "+", { byLex: true }), [
    "ZRANGE",
    "z",
    "[a",
    "+",
    "BYLEX",
  ]);
  throwsType(
    () => build("zrange", "z", 0, 1, { limit: { offset: 0, count: 1 } }),
    /^zrange\(\): options\.limit requires options\.byScore or options\.byLex/,
  );
  throwsType(
    () => build("zrange", "z", "-", "+", { byLex: true, withScores: true }),
    /cannot be combined/,
  );
  throwsType(
    () => build("zrange", "z", 0, 1, { byScore: true, limit: { offset: -1, count: 1 } }),
    /options\.limit must be/,
  );
  assert.deepEqual(
    argsOf("zrangebyscore", "z", "-inf", 5, { withScores: true, limit: { offset: 1, count: 2 } }),
    [
      "ZRANGEBYSCORE",
      "z",
      "-inf",
      5,
      "WITHSCORES",
      "LIMIT",
      1,
      2,
    ],
  );
  assert.deepEqual(
    argsOf("zunionstore", "{z}d", ["{z}1", "{z}2"], { weights: [1, 2], aggregate: "MAX" }),
    [
      "ZUNIONSTORE",
      "{z}d",
      2,
      "{z}1",
      "{z}2",
      "WEIGHTS",
      1,
      2,
      "AGGREGATE",
      "MAX",
    ],
  );
  throwsType(() => build("zinterstore", "d", ["a", "b"], { weights: [1] }), /one weight per key/);
  throwsType(
    () => build("zinterstore", "d", []),
    /^zinterstore\(\): keys must be a non-empty array/,
  );
});

Deno.test("stream methods build trim clauses and put keys before IDs after STREAMS", () => {
  assert.deepEqual(
    argsOf("xadd", "s", "*", { f: "v" }, {
      nomkstream: true,
      trim: { strategy: "MAXLEN", threshold: 1000, approximate: true, limit: 100 },
    }),
    ["XADD", "s", "NOMKSTREAM", "MAXLEN", "~", "1000", "LIMIT", 100, "*", "f", "v"],
  );
  assert.deepEqual(argsOf("xtrim", "s", { strategy: "MINID", threshold: "1-0" }), [
    "XTRIM",
    "s",
    "MINID",
    "1-0",
  ]);
  throwsType(
    () => build("xtrim", "s", { strategy: "MAXLEN", threshold: 1, limit: 5 }),
    /^xtrim\(\): trim must be .*limit needs approximate/,
  );
  assert.deepEqual(argsOf("xread", { "{s}a": "0", "{s}b": "$" }, { count: 10, block: 0 }), [
    "XREAD",
    "COUNT",
    10,
    "BLOCK",
    0,
    "STREAMS",
    "{s}a",
    "{s}b",
    "0",
    "$",
  ]);
  assert.deepEqual(argsOf("xreadgroup", "g", "c1", [["s", ">"]], { noack: true }), [
    "XREADGROUP",
    "GROUP",
    "g",
    "c1",
    "NOACK",
    "STREAMS",
    "s",
    ">",
  ]);
  assert.deepEqual(argsOf("xgroupCreate", "s", "g", "$", { mkstream: true }), [
    "XGROUP",
    "CREATE",
    "s",
    "g",
    "$",
    "MKSTREAM",
  ]);
  assert.deepEqual(argsOf("xpending", "s", "g", { start: "-", end: "+", count: 5, idle: 1000 }), [
    "XPENDING",
    "s",
    "g",
    "IDLE",
    1000,
    "-",
    "+",
    5,
  ]);
  throwsType(
    () => build("xpending", "s", "g", { start: "-" }),
    /options\.start requires options\.end/,
  );
});

Deno.test("eval() and fcall() send numkeys, the keys, then the arguments", () => {
  assert.deepEqual(argsOf("eval", "return 1", ["k1", "k2"], ["a", 1]), [
    "EVAL",
    "return 1",
    2,
    "k1",
    "k2",
    "a",
    1,
  ]);
  assert.deepEqual(argsOf("evalshaRo", "abc", [], []), ["EVALSHA_RO", "abc", 0]);
  assert.deepEqual(argsOf("fcall", "f", ["k"], []), ["FCALL", "f", 1, "k"]);
  throwsType(() => build("eval", "return 1", "k", []), /^eval\(\): keys must be an array of keys/);
  throwsType(() => build("eval", "return 1", [], [null]), /^eval\(\): args must be an array/);
  assert.deepEqual(argsOf("scriptLoad", "return 1"), ["SCRIPT", "LOAD", "return 1"]);
});

Deno.test("optional leading arguments and options: ping(), info(), flushall()", () => {
  assert.deepEqual(argsOf("ping"), ["PING"]);
  assert.deepEqual(argsOf("ping", "hi"), ["PING", "hi"]);
  const options = { timeoutMs: 1 };
  const ping = build("ping", options);
  assert.deepEqual(ping.args, ["PING"]);
  assert.equal(ping.options, options);
  assert.deepEqual(argsOf("info", "replication", options), ["INFO", "replication"]);
  assert.deepEqual(argsOf("info", options), ["INFO"]);
  assert.deepEqual(argsOf("flushall", { mode: "ASYNC" }), ["FLUSHALL", "ASYNC"]);
  throwsType(
    () => build("flushall", { mode: "async" }),
    /options\.mode must be one of "ASYNC", "SYNC"/,
  );
});

Deno.test("scan-family methods build MATCH/COUNT/TYPE and return the cursor as text", () => {
  assert.deepEqual(argsOf("scan", "0", { match: "user:*", count: 100, type: "hash" }), [
    "SCAN",
    "0",
    "MATCH",
    "user:*",
    "COUNT",
    100,
    "TYPE",
    "hash",
  ]);
  assert.deepEqual(argsOf("sscan", "s", 17, { count: 10 }), ["SSCAN", "s", 17, "COUNT", 10]);
  throwsType(() => build("scan", -1), /^scan\(\): cursor must be a cursor string/);
  assert.deepEqual(reply("scan", ["0"], [b("17"), [b("a"), b("b")]]), ["17", [b("a"), b("b")]]);
  assert.deepEqual(reply("scan", ["0"], ["0", ["a"]]), ["0", ["a"]]);
  assert.deepEqual(reply("hscan", ["h", 0], [b("0"), [b("f"), b("v")]]), ["0", [[b("f"), b("v")]]]);
  assert.deepEqual(reply("zscan", ["z", 0], ["0", ["a", "1.5", "b", "inf"]]), [
    "0",
    [{ member: "a", score: 1.5 }, { member: "b", score: Infinity }],
  ]);
});

Deno.test("bitcount() and bitpos() need start before end and end before unit", () => {
  assert.deepEqual(argsOf("bitcount", "b", { start: 0, end: -1, unit: "BIT" }), [
    "BITCOUNT",
    "b",
    0,
    -1,
    "BIT",
  ]);
  assert.deepEqual(argsOf("bitpos", "b", 1, { start: 2 }), ["BITPOS", "b", 1, 2]);
  throwsType(
    () => build("bitcount", "b", { start: 0 }),
    /^bitcount\(\): options\.start requires options\.end/,
  );
  throwsType(() => build("bitpos", "b", 0, { end: 3 }), /options\.end requires options\.start/);
  throwsType(
    () => build("bitpos", "b", 0, { start: 0, unit: "BIT" }),
    /options\.unit requires options\.end/,
  );
  throwsType(() => build("bitpos", "b", 2), /^bitpos\(\): bit must be 0 or 1/);
});

Deno.test("fixed-arity methods reject extra arguments and invalid numbers", () => {
  throwsType(() => build("get", "a", "b"), /^get\(\): takes 1 argument and options, got 2/);
  throwsType(() => build("get", "a", null), /^get\(\): takes 1 argument/);
  throwsType(() => build("expire", "k", 1.5), /^expire\(\): seconds must be an integer/);
  throwsType(() => build("expire", "k", 10, { nx: true, gt: true }), /options\.nx and options\.gt/);
  throwsType(
    () => build("lpop", "l", { count: -1 }),
    /^lpop\(\): options\.count must be a non-negative integer/,
  );
  throwsType(
    () => build("lmove", "a", "b", "left", "RIGHT"),
    /^lmove\(\): from must be one of "LEFT", "RIGHT"/,
  );
  throwsType(
    () => build("blpop", [], 0),
    /^blpop\(\): keys must be a key or a non-empty array of keys/,
  );
  throwsType(() => build("blpop", "l", -1), /^blpop\(\): timeout must be a non-negative number/);
  throwsType(() => build("lpos", "l", "x", { rank: 0 }), /^lpos\(\): options\.rank must not be 0/);
  assert.deepEqual(argsOf("incrby", "n", 2n ** 60n), ["INCRBY", "n", 2n ** 60n]);
  assert.deepEqual(argsOf("blpop", ["{q}a", "{q}b"], 0.5), ["BLPOP", "{q}a", "{q}b", 0.5]);
  assert.deepEqual(argsOf("objectEncoding", "k"), ["OBJECT", "ENCODING", "k"]);
});

Deno.test("every builder builds or throws a TypeError naming its method when given nothing", () => {
  for (const [name, builder] of COMMAND_TABLE) {
    try {
      const built = builder([]);
      assert.ok(built.args.length >= 1, name);
    } catch (e) {
      assert.ok(e instanceof TypeError, `${name} threw ${e}`);
      assert.ok(e.message.startsWith(`${name}(): `), e.message);
    }
  }
});
