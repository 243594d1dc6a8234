/**
 * Every typed method against a real cluster, under RESP2 and RESP3: each case sets up its keys
 * with raw commands, calls the method and checks the result's value and shape. A method missing
 * from the table fails the test, so new methods come with a case.
 */
import assert from "node:assert/strict";
import { COMMAND_TABLE, type CommandMethodName, RedisCluster } from "../../mod.ts";
import { LocalCluster } from "../../testing/local_cluster.ts";

type Client = RedisCluster<true>;
type Raw = RedisCluster<false>;

/** One case: raw setup commands, the call, and the expected result (or a check of it). */
interface Case {
  readonly setup?: readonly (readonly (string | number)[])[];
  readonly call: (c: Client, raw: Raw) => Promise<unknown>;
  readonly expect: unknown | ((result: unknown) => void);
}

const K = (name: string): string => `{t}${name}`;
const sorted = (a: unknown): unknown[] => [...(a as unknown[])].sort();
const isStreamId = (v: unknown): boolean => typeof v === "string" && /^\d+-\d+$/.test(v);
const check = (f: (r: never) => void) => f as (result: unknown) => void;

const CASES: Record<CommandMethodName, Case> = {
  // strings
  get: { setup: [["SET", K("a"), "v"]], call: (c) => c.get(K("a")), expect: "v" },
  set: { call: (c) => c.set(K("a"), "v", { ex: 100, nx: true }), expect: "OK" },
  getdel: { setup: [["SET", K("a"), "v"]], call: (c) => c.getdel(K("a")), expect: "v" },
  getex: {
    setup: [["SET", K("a"), "v"]],
    call: (c) => c.getex(K("a"), { px: 100_000 }),
    expect: "v",
  },
  getrange: {
    setup: [["SET", K("a"), "hello"]],
    call: (c) => c.getrange(K("a"), 1, 3),
    expect: "ell",
  },
  setrange: {
    setup: [["SET", K("a"), "hello"]],
    call: (c) => c.setrange(K("a"), 0, "J"),
    expect: 5,
  },
  append: { call: (c) => c.append(K("a"), "ab"), expect: 2 },
  strlen: { setup: [["SET", K("a"), "abc"]], call: (c) => c.strlen(K("a")), expect: 3 },
  incr: { call: (c) => c.incr(K("a")), expect: 1 },
  incrby: { call: (c) => c.incrby(K("a"), 5), expect: 5 },
  incrbyfloat: { call: (c) => c.incrbyfloat(K("a"), 1.5), expect: 1.5 },
  decr: { call: (c) => c.decr(K("a")), expect: -1 },
  decrby: { call: (c) => c.decrby(K("a"), 3), expect: -3 },
  mget: {
    setup: [["MSET", K("a"), "1", K("b"), "2"]],
    call: (c) => c.mget(K("a"), K("b"), K("none")),
    expect: ["1", "2", null],
  },
  mset: { call: (c) => c.mset({ [K("a")]: "1", [K("b")]: "2" }), expect: "OK" },
  msetnx: { call: (c) => c.msetnx({ [K("a")]: "1", [K("b")]: "2" }), expect: 1 },
  setnx: { call: (c) => c.setnx(K("a"), "v"), expect: 1 },
  setex: { call: (c) => c.setex(K("a"), 100, "v"), expect: "OK" },
  psetex: { call: (c) => c.psetex(K("a"), 100_000, "v"), expect: "OK" },
  getset: { setup: [["SET", K("a"), "old"]], call: (c) => c.getset(K("a"), "new"), expect: "old" },
  setbit: { call: (c) => c.setbit(K("a"), 7, 1), expect: 0 },
  getbit: { setup: [["SETBIT", K("a"), 7, 1]], call: (c) => c.getbit(K("a"), 7), expect: 1 },
  bitcount: { setup: [["SET", K("a"), "foobar"]], call: (c) => c.bitcount(K("a")), expect: 26 },
  bitpos: { setup: [["SET", K("a"), "foobar"]], call: (c) => c.bitpos(K("a"), 1), expect: 1 },
  bitop: {
    setup: [["SET", K("a"), "abc"], ["SET", K("b"), "abc"]],
    call: (c) => c.bitop("AND", K("d"), K("a"), K("b")),
    expect: 3,
  },
  pfadd: { call: (c) => c.pfadd(K("a"), "x", "y"), expect: 1 },
  pfcount: { setup: [["PFADD", K("a"), "x", "y", "z"]], call: (c) => c.pfcount(K("a")), expect: 3 },
  pfmerge: {
    setup: [["PFADD", K("a"), "x"], ["PFADD", K("b"), "y"]],
    call: (c) => c.pfmerge(K("d"), K("a"), K("b")),
    expect: "OK",
  },
  // keys
  del: {
    setup: [["MSET", K("a"), "1", K("b"), "2"]],
    call: (c) => c.del(K("a"), K("b")),
    expect: 2,
  },
  unlink: { setup: [["SET", K("a"), "1"]], call: (c) => c.unlink(K("a"), K("none")), expect: 1 },
  exists: {
    setup: [["MSET", K("a"), "1", K("b"), "2"]],
    call: (c) => c.exists(K("a"), K("b"), K("none")),
    expect: 2,
  },
  touch: { setup: [["SET", K("a"), "1"]], call: (c) => c.touch(K("a")), expect: 1 },
  expire: { setup: [["SET", K("a"), "1"]], call: (c) => c.expire(K("a"), 100), expect: 1 },
  pexpire: { setup: [["SET", K("a"), "1"]], call: (c) => c.pexpire(K("a"), 100_000), expect: 1 },
  expireat: {
    setup: [["SET", K("a"), "1"]],
    call: (c) => c.expireat(K("a"), Math.floor(Date.now() / 1000) + 100),
    expect: 1,
  },
  pexpireat: {
    setup: [["SET", K("a"), "1"]],
    call: (c) => c.pexpireat(K("a"), Date.now() + 100_000),
    expect: 1,
  },
  ttl: {
    setup: [["SET", K("a"), "1", "EX", 100]],
    call: (c) => c.ttl(K("a")),
    expect: check((r: number) => assert.ok(r > 90 && r <= 100, String(r))),
  },
  pttl: {
    setup: [["SET", K("a"), "1", "EX", 100]],
    call: (c) => c.pttl(K("a")),
    expect: check((r: number) => assert.ok(r > 90_000 && r <= 100_000, String(r))),
  },
  persist: { setup: [["SET", K("a"), "1", "EX", 100]], call: (c) => c.persist(K("a")), expect: 1 },
  type: { setup: [["RPUSH", K("a"), "x"]], call: (c) => c.type(K("a")), expect: "list" },
  rename: { setup: [["SET", K("a"), "1"]], call: (c) => c.rename(K("a"), K("b")), expect: "OK" },
  renamenx: { setup: [["SET", K("a"), "1"]], call: (c) => c.renamenx(K("a"), K("b")), expect: 1 },
  copy: { setup: [["SET", K("a"), "1"]], call: (c) => c.copy(K("a"), K("b")), expect: 1 },
  // An RDB payload is binary: the bytes-mode client keeps it intact.
  dump: {
    setup: [["SET", K("a"), "v"]],
    call: (_c, raw) => raw.dump(K("a")),
    expect: check((r: Uint8Array) => assert.ok(r instanceof Uint8Array && r.length > 0)),
  },
  restore: {
    setup: [["SET", K("src"), "v"]],
    call: async (c, raw) => {
      const payload = await raw.dump(K("src"));
      const ok = await raw.restore(K("a"), 0, payload!);
      return [ok, await c.get(K("a"))];
    },
    expect: ["OK", "v"],
  },
  objectEncoding: {
    setup: [["SET", K("a"), "123"]],
    call: (c) => c.objectEncoding(K("a")),
    expect: "int",
  },
  // hashes
  hget: { setup: [["HSET", K("h"), "f", "v"]], call: (c) => c.hget(K("h"), "f"), expect: "v" },
  hset: { call: (c) => c.hset(K("h"), { f: "v", g: "w" }), expect: 2 },
  hsetnx: { call: (c) => c.hsetnx(K("h"), "f", "v"), expect: 1 },
  hmget: {
    setup: [["HSET", K("h"), "f", "v"]],
    call: (c) => c.hmget(K("h"), "f", "x"),
    expect: ["v", null],
  },
  hgetall: {
    setup: [["HSET", K("h"), "f", "v", "g", "w"]],
    call: (c) => c.hgetall(K("h")),
    expect: { f: "v", g: "w" },
  },
  hdel: { setup: [["HSET", K("h"), "f", "v"]], call: (c) => c.hdel(K("h"), "f", "x"), expect: 1 },
  hexists: { setup: [["HSET", K("h"), "f", "v"]], call: (c) => c.hexists(K("h"), "f"), expect: 1 },
  hincrby: { call: (c) => c.hincrby(K("h"), "n", 2), expect: 2 },
  hincrbyfloat: { call: (c) => c.hincrbyfloat(K("h"), "n", 1.5), expect: 1.5 },
  hkeys: { setup: [["HSET", K("h"), "f", "v"]], call: (c) => c.hkeys(K("h")), expect: ["f"] },
  hvals: { setup: [["HSET", K("h"), "f", "v"]], call: (c) => c.hvals(K("h")), expect: ["v"] },
  hlen: { setup: [["HSET", K("h"), "f", "v"]], call: (c) => c.hlen(K("h")), expect: 1 },
  hstrlen: {
    setup: [["HSET", K("h"), "f", "vvv"]],
    call: (c) => c.hstrlen(K("h"), "f"),
    expect: 3,
  },
  hrandfield: {
    setup: [["HSET", K("h"), "f", "v"]],
    call: async (c) => [
      await c.hrandfield(K("h")),
      await c.hrandfield(K("h"), { count: 2 }),
      await c.hrandfield(K("h"), { count: 1, withValues: true }),
    ],
    expect: ["f", ["f"], [["f", "v"]]],
  },
  hscan: {
    setup: [["HSET", K("h"), "f", "v"]],
    call: (c) => c.hscan(K("h"), 0),
    expect: ["0", [["f", "v"]]],
  },
  // lists
  lpush: { call: (c) => c.lpush(K("l"), "a", "b"), expect: 2 },
  rpush: { call: (c) => c.rpush(K("l"), "a", "b"), expect: 2 },
  lpop: {
    setup: [["RPUSH", K("l"), "a", "b", "c"]],
    call: async (c) => [await c.lpop(K("l")), await c.lpop(K("l"), { count: 2 })],
    expect: ["a", ["b", "c"]],
  },
  rpop: {
    setup: [["RPUSH", K("l"), "a", "b", "c"]],
    call: async (
      c,
    ) => [await c.rpop(K("l")), await c.rpop(K("l"), { count: 5 }), await c.rpop(K("l"))],
    expect: ["c", ["b", "a"], null],
  },
  llen: { setup: [["RPUSH", K("l"), "a", "b"]], call: (c) => c.llen(K("l")), expect: 2 },
  lrange: {
    setup: [["RPUSH", K("l"), "a", "b", "c"]],
    call: (c) => c.lrange(K("l"), 0, -1),
    expect: ["a", "b", "c"],
  },
  lindex: { setup: [["RPUSH", K("l"), "a", "b"]], call: (c) => c.lindex(K("l"), 1), expect: "b" },
  lset: { setup: [["RPUSH", K("l"), "a"]], call: (c) => c.lset(K("l"), 0, "z"), expect: "OK" },
  linsert: {
    setup: [["RPUSH", K("l"), "a", "c"]],
    call: (c) => c.linsert(K("l"), "BEFORE", "c", "b"),
    expect: 3,
  },
  lrem: {
    setup: [["RPUSH", K("l"), "a", "b", "a"]],
    call: (c) => c.lrem(K("l"), 0, "a"),
    expect: 2,
  },
  ltrim: {
    setup: [["RPUSH", K("l"), "a", "b", "c"]],
    call: (c) => c.ltrim(K("l"), 0, 1),
    expect: "OK",
  },
  lpos: {
    setup: [["RPUSH", K("l"), "a", "b", "a"]],
    call: async (c) => [await c.lpos(K("l"), "a"), await c.lpos(K("l"), "a", { count: 0 })],
    expect: [0, [0, 2]],
  },
  lmove: {
    setup: [["RPUSH", K("l"), "a", "b"]],
    call: (c) => c.lmove(K("l"), K("m"), "LEFT", "RIGHT"),
    expect: "a",
  },
  blpop: {
    setup: [["RPUSH", K("l"), "a"]],
    call: (c) => c.blpop([K("l")], 1),
    expect: [K("l"), "a"],
  },
  brpop: {
    setup: [["RPUSH", K("l"), "a", "b"]],
    call: (c) => c.brpop([K("l")], 1),
    expect: [K("l"), "b"],
  },
  blmove: {
    setup: [["RPUSH", K("l"), "a", "b"]],
    call: (c) => c.blmove(K("l"), K("m"), "RIGHT", "LEFT", 1),
    expect: "b",
  },
  // sets
  sadd: { call: (c) => c.sadd(K("s"), "a", "b", "a"), expect: 2 },
  srem: { setup: [["SADD", K("s"), "a", "b"]], call: (c) => c.srem(K("s"), "a", "x"), expect: 1 },
  smembers: {
    setup: [["SADD", K("s"), "a", "b"]],
    call: async (c) => sorted(await c.smembers(K("s"))),
    expect: ["a", "b"],
  },
  sismember: { setup: [["SADD", K("s"), "a"]], call: (c) => c.sismember(K("s"), "a"), expect: 1 },
  smismember: {
    setup: [["SADD", K("s"), "a"]],
    call: (c) => c.smismember(K("s"), "a", "x"),
    expect: [1, 0],
  },
  scard: { setup: [["SADD", K("s"), "a", "b"]], call: (c) => c.scard(K("s")), expect: 2 },
  spop: {
    setup: [["SADD", K("s"), "a"]],
    call: async (c) => [await c.spop(K("s")), await c.spop(K("s"), { count: 1 })],
    expect: ["a", []],
  },
  srandmember: {
    setup: [["SADD", K("s"), "a"]],
    call: async (c) => [await c.srandmember(K("s")), await c.srandmember(K("s"), { count: 2 })],
    expect: ["a", ["a"]],
  },
  smove: { setup: [["SADD", K("s"), "a"]], call: (c) => c.smove(K("s"), K("d"), "a"), expect: 1 },
  sinter: {
    setup: [["SADD", K("s"), "a", "b"], ["SADD", K("r"), "b", "c"]],
    call: (c) => c.sinter(K("s"), K("r")),
    expect: ["b"],
  },
  sunion: {
    setup: [["SADD", K("s"), "a"], ["SADD", K("r"), "b"]],
    call: async (c) => sorted(await c.sunion(K("s"), K("r"))),
    expect: ["a", "b"],
  },
  sdiff: {
    setup: [["SADD", K("s"), "a", "b"], ["SADD", K("r"), "b"]],
    call: (c) => c.sdiff(K("s"), K("r")),
    expect: ["a"],
  },
  sinterstore: {
    setup: [["SADD", K("s"), "a", "b"], ["SADD", K("r"), "b"]],
    call: (c) => c.sinterstore(K("d"), K("s"), K("r")),
    expect: 1,
  },
  sunionstore: {
    setup: [["SADD", K("s"), "a"], ["SADD", K("r"), "b"]],
    call: (c) => c.sunionstore(K("d"), K("s"), K("r")),
    expect: 2,
  },
  sdiffstore: {
    setup: [["SADD", K("s"), "a", "b"], ["SADD", K("r"), "b"]],
    call: (c) => c.sdiffstore(K("d"), K("s"), K("r")),
    expect: 1,
  },
  sscan: { setup: [["SADD", K("s"), "a"]], call: (c) => c.sscan(K("s"), 0), expect: ["0", ["a"]] },
  // sorted sets
  zadd: {
    call: async (c) => [
      await c.zadd(K("z"), { a: 1, b: 2 }),
      await c.zadd(K("z"), { a: 5 }, { incr: true }),
      await c.zadd(K("z"), [[-Infinity, "c"]]),
    ],
    expect: [2, 6, 1],
  },
  zrem: { setup: [["ZADD", K("z"), 1, "a"]], call: (c) => c.zrem(K("z"), "a", "x"), expect: 1 },
  zscore: {
    setup: [["ZADD", K("z"), 1.5, "a", "+inf", "b"]],
    call: async (
      c,
    ) => [await c.zscore(K("z"), "a"), await c.zscore(K("z"), "b"), await c.zscore(K("z"), "x")],
    expect: [1.5, Infinity, null],
  },
  zincrby: {
    setup: [["ZADD", K("z"), 1, "a"]],
    call: (c) => c.zincrby(K("z"), 2.5, "a"),
    expect: 3.5,
  },
  zcard: { setup: [["ZADD", K("z"), 1, "a", 2, "b"]], call: (c) => c.zcard(K("z")), expect: 2 },
  zcount: {
    setup: [["ZADD", K("z"), 1, "a", 2, "b"]],
    call: (c) => c.zcount(K("z"), "(1", "+inf"),
    expect: 1,
  },
  zrange: {
    setup: [["ZADD", K("z"), 1, "a", 2, "b"]],
    call: async (c) => [
      await c.zrange(K("z"), 0, -1),
      await c.zrange(K("z"), 0, -1, { withScores: true, rev: true }),
    ],
    expect: [["a", "b"], [{ member: "b", score: 2 }, { member: "a", score: 1 }]],
  },
  zrangebyscore: {
    setup: [["ZADD", K("z"), 1, "a", 2, "b", 3, "c"]],
    call: async (c) => [
      await c.zrangebyscore(K("z"), "(1", 3),
      await c.zrangebyscore(K("z"), "-inf", "+inf", {
        withScores: true,
        limit: { offset: 1, count: 1 },
      }),
    ],
    expect: [["b", "c"], [{ member: "b", score: 2 }]],
  },
  zrank: {
    setup: [["ZADD", K("z"), 1, "a", 2, "b"]],
    call: (c) => c.zrank(K("z"), "b"),
    expect: 1,
  },
  zrevrank: {
    setup: [["ZADD", K("z"), 1, "a", 2, "b"]],
    call: (c) => c.zrevrank(K("z"), "b"),
    expect: 0,
  },
  zmscore: {
    setup: [["ZADD", K("z"), 1, "a"]],
    call: (c) => c.zmscore(K("z"), "a", "x"),
    expect: [1, null],
  },
  zpopmin: {
    setup: [["ZADD", K("z"), 1, "a", 2, "b"]],
    call: (c) => c.zpopmin(K("z")),
    expect: [{ member: "a", score: 1 }],
  },
  zpopmax: {
    setup: [["ZADD", K("z"), 1, "a", 2, "b"]],
    call: (c) => c.zpopmax(K("z"), { count: 2 }),
    expect: [{ member: "b", score: 2 }, { member: "a", score: 1 }],
  },
  zremrangebyscore: {
    setup: [["ZADD", K("z"), 1, "a", 2, "b"]],
    call: (c) => c.zremrangebyscore(K("z"), "-inf", 1),
    expect: 1,
  },
  zremrangebyrank: {
    setup: [["ZADD", K("z"), 1, "a", 2, "b"]],
    call: (c) => c.zremrangebyrank(K("z"), 0, 0),
    expect: 1,
  },
  zunionstore: {
    setup: [["ZADD", K("z"), 1, "a"], ["ZADD", K("y"), 2, "a", 3, "b"]],
    call: async (c) => [
      await c.zunionstore(K("d"), [K("z"), K("y")], { weights: [1, 2], aggregate: "SUM" }),
      await c.zscore(K("d"), "a"),
    ],
    expect: [2, 5],
  },
  zinterstore: {
    setup: [["ZADD", K("z"), 1, "a"], ["ZADD", K("y"), 2, "a", 3, "b"]],
    call: (c) => c.zinterstore(K("d"), [K("z"), K("y")]),
    expect: 1,
  },
  zscan: {
    setup: [["ZADD", K("z"), 1, "a"]],
    call: (c) => c.zscan(K("z"), 0),
    expect: ["0", [{ member: "a", score: 1 }]],
  },
  // streams
  xadd: {
    call: (c) => c.xadd(K("x"), "*", { f: "v" }),
    expect: check((r: string) => assert.ok(isStreamId(r), r)),
  },
  xlen: { setup: [["XADD", K("x"), "1-1", "f", "v"]], call: (c) => c.xlen(K("x")), expect: 1 },
  xrange: {
    setup: [["XADD", K("x"), "1-1", "f", "v"], ["XADD", K("x"), "2-1", "g", "w"]],
    call: (c) => c.xrange(K("x"), "-", "+", { count: 1 }),
    expect: [{ id: "1-1", fields: { f: "v" } }],
  },
  xrevrange: {
    setup: [["XADD", K("x"), "1-1", "f", "v"], ["XADD", K("x"), "2-1", "g", "w"]],
    call: (c) => c.xrevrange(K("x"), "+", "-"),
    expect: [{ id: "2-1", fields: { g: "w" } }, { id: "1-1", fields: { f: "v" } }],
  },
  xdel: {
    setup: [["XADD", K("x"), "1-1", "f", "v"]],
    call: (c) => c.xdel(K("x"), "1-1", "9-9"),
    expect: 1,
  },
  xtrim: {
    setup: [["XADD", K("x"), "1-1", "f", "v"], ["XADD", K("x"), "2-1", "f", "v"]],
    call: (c) => c.xtrim(K("x"), { strategy: "MAXLEN", threshold: 1 }),
    expect: 1,
  },
  xread: {
    setup: [["XADD", K("x"), "1-1", "f", "v"]],
    call: async (
      c,
    ) => [await c.xread({ [K("x")]: "0" }), await c.xread({ [K("x")]: "$" }, { block: 10 })],
    expect: [[{ key: K("x"), entries: [{ id: "1-1", fields: { f: "v" } }] }], null],
  },
  xgroupCreate: { call: (c) => c.xgroupCreate(K("x"), "g", "$", { mkstream: true }), expect: "OK" },
  xreadgroup: {
    setup: [["XADD", K("x"), "1-1", "f", "v"], ["XGROUP", "CREATE", K("x"), "g", "0"]],
    call: (c) => c.xreadgroup("g", "c1", { [K("x")]: ">" }),
    expect: [{ key: K("x"), entries: [{ id: "1-1", fields: { f: "v" } }] }],
  },
  xack: {
    setup: [
      ["XADD", K("x"), "1-1", "f", "v"],
      ["XGROUP", "CREATE", K("x"), "g", "0"],
      ["XREADGROUP", "GROUP", "g", "c1", "STREAMS", K("x"), ">"],
    ],
    call: (c) => c.xack(K("x"), "g", "1-1"),
    expect: 1,
  },
  xpending: {
    setup: [
      ["XADD", K("x"), "1-1", "f", "v"],
      ["XGROUP", "CREATE", K("x"), "g", "0"],
      ["XREADGROUP", "GROUP", "g", "c1", "STREAMS", K("x"), ">"],
    ],
    call: async (c) => {
      const summary = await c.xpending(K("x"), "g");
      const [entry] = await c.xpending(K("x"), "g", { start: "-", end: "+", count: 10 });
      return [summary, entry?.id, entry?.consumer, entry?.deliveries, typeof entry?.idleMs];
    },
    expect: [
      { count: 1, smallest: "1-1", greatest: "1-1", consumers: [{ name: "c1", count: 1 }] },
      "1-1",
      "c1",
      1,
      "number",
    ],
  },
  // scripting, functions, pub/sub, server
  eval: {
    call: (c) => c.eval("return {KEYS[1], ARGV[1]}", [K("a")], ["x"]),
    expect: [K("a"), "x"],
  },
  evalsha: {
    call: async (c) => {
      const sha = await c.scriptLoad("return ARGV[1]");
      return await c.evalsha(sha, [K("a")], ["y"]);
    },
    expect: "y",
  },
  evalRo: {
    setup: [["SET", K("a"), "v"]],
    call: (c) => c.evalRo("return redis.call('GET', KEYS[1])", [K("a")], []),
    expect: "v",
  },
  evalshaRo: {
    setup: [["SET", K("a"), "v"]],
    call: async (c) => {
      const sha = await c.scriptLoad("return redis.call('GET', KEYS[1])");
      return await c.evalshaRo(sha, [K("a")], []);
    },
    expect: "v",
  },
  fcall: {
    call: async (c) => {
      await c.sendCommand(["FUNCTION", "LOAD", "REPLACE", LIBRARY]);
      return await c.fcall("rc_echo", [K("a")], ["z"]);
    },
    expect: "z",
  },
  fcallRo: {
    call: async (c) => {
      await c.sendCommand(["FUNCTION", "LOAD", "REPLACE", LIBRARY]);
      return await c.fcallRo("rc_echo_ro", [K("a")], ["ro"]);
    },
    expect: "ro",
  },
  scriptLoad: {
    call: (c) => c.scriptLoad("return 1"),
    expect: "e0e1f9fabfc9d4800c877a703b823ac0578ff8db",
  },
  scriptExists: {
    call: async (c) => c.scriptExists(await c.scriptLoad("return 2"), "0".repeat(40)),
    expect: [1, 0],
  },
  scriptFlush: { call: (c) => c.scriptFlush({ mode: "SYNC" }), expect: "OK" },
  publish: { call: (c) => c.publish("news", "hello"), expect: 0 },
  spublish: { call: (c) => c.spublish(K("news"), "hello"), expect: 0 },
  ping: { call: async (c) => [await c.ping(), await c.ping("hi")], expect: ["PONG", "hi"] },
  echo: { call: (c) => c.echo("hello"), expect: "hello" },
  dbsize: {
    setup: [["MSET", "{a}1", "1", "{b}2", "2", "{c}3", "3"]],
    call: (c) => c.dbsize(),
    expect: 3,
  },
  flushall: {
    setup: [["SET", K("a"), "1"]],
    call: (c) => c.flushall({ mode: "SYNC" }),
    expect: "OK",
  },
  flushdb: { setup: [["SET", K("a"), "1"]], call: (c) => c.flushdb(), expect: "OK" },
  keys: {
    setup: [["MSET", "{a}k1", "1", "{b}k2", "2"]],
    call: async (c) => sorted(await c.keys("*")),
    expect: ["{a}k1", "{b}k2"],
  },
  scan: {
    setup: [["SET", K("a"), "1"]],
    call: (c) => c.scan(0, { count: 1000 }),
    expect: check((r: [string, string[]]) => {
      assert.equal(typeof r[0], "string");
      assert.ok(Array.isArray(r[1]));
    }),
  },
  info: {
    call: async (c) => [await c.info("server"), await c.info()],
    expect: check((r: [string, string]) => {
      assert.match(r[0], /redis_version:/);
      assert.match(r[1], /# Keyspace/);
    }),
  },
  wait: {
    call: (c) => c.wait(0, 100),
    expect: check((r: number) => assert.equal(typeof r, "number")),
  },
};

const LIBRARY = [
  "#!lua name=rclib",
  "redis.register_function('rc_echo', function(keys, args) return args[1] end)",
  "redis.register_function{function_name='rc_echo_ro', callback=function(keys, args) return args[1] end, flags={'no-writes'}}",
].join("\n");

Deno.test("every typed method against a real cluster, over RESP2 and RESP3", async (t) => {
  assert.deepEqual(Object.keys(CASES).sort(), [...COMMAND_TABLE.keys()].sort());
  await using cluster = await LocalCluster.start();
  const { startupNodes } = cluster;
  for (const protocol of [2, 3] as const) {
    await using c = new RedisCluster({ startupNodes, decodeResponses: true, protocol });
    await using raw = new RedisCluster({ startupNodes, protocol });
    await t.step(`RESP${protocol}`, async () => {
      const failures: string[] = [];
      for (const [name, kase] of Object.entries(CASES)) {
        await c.flushall({ mode: "SYNC" });
        try {
          for (const args of kase.setup ?? []) await c.sendCommand(args);
          const result = await kase.call(c, raw);
          if (typeof kase.expect === "function") {
            (kase.expect as (r: unknown) => void)(result);
          } else assert.deepEqual(result, kase.expect);
        } catch (e) {
          failures.push(`${name}: ${e instanceof Error ? e.message : String(e)}`);
        }
      }
      assert.deepEqual(failures, [], failures.join("\n\n"));
    });
  }
});
