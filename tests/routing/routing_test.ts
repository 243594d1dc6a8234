import assert from "node:assert/strict";
import { _merge, _split } from "../../src/routing/multi_key.ts";
import { _combine, _fanOutRule } from "../../src/routing/fan_out.ts";
import { _backoffMs, _RETRY_TABLE } from "../../src/execution/retry_table.ts";
import {
  ClusterRedirectionError,
  ConnectionError,
  PipelineError,
  ProtocolError,
  RedisError,
  type RedisErrorKind,
  TimeoutError,
} from "../../src/errors.ts";
import { keySlot } from "../../src/topology/slot.ts";
import type { RedisArgument, RedisReply } from "../../src/types.ts";
import { _commandName } from "../../src/routing/command_cache.ts";

const rule = (args: readonly RedisArgument[]) =>
  _fanOutRule(args.length ? _commandName(args) : "", args);

// keySlot("foo") = 12182, keySlot("bar") = 5061: two slots; "{foo}..." shares foo's slot.

Deno.test("_split() splits MGET per slot, keeping each key's caller position", () => {
  const parts = _split("mget", ["MGET", "foo", "bar", "{foo}x"])!;
  assert.deepEqual(parts, [
    { slot: keySlot("foo"), args: ["MGET", "foo", "{foo}x"], positions: [0, 2] },
    { slot: keySlot("bar"), args: ["MGET", "bar"], positions: [1] },
  ]);
});

Deno.test("_merge() puts MGET values back in caller order, nulls included", () => {
  const args = ["MGET", "foo", "bar", "{foo}x", "{bar}y"];
  const parts = _split("mget", args)!;
  assert.deepEqual(_merge("mget", parts, [["F", null], [null, "Y"]]), ["F", null, null, "Y"]);
});

Deno.test("_merge() keeps MGET values of a repeated key at every position", () => {
  const parts = _split("mget", ["MGET", "foo", "bar", "foo"])!;
  assert.deepEqual(parts[0]!.args, ["MGET", "foo", "foo"]);
  assert.deepEqual(_merge("mget", parts, [["f1", "f2"], ["b"]]), ["f1", "b", "f2"]);
});

Deno.test("_merge() fills nulls for MGET parts with a missing or short reply", () => {
  const parts = _split("mget", ["MGET", "foo", "bar", "{foo}x"])!;
  assert.deepEqual(_merge("mget", parts, [["F"], "unexpected"]), ["F", null, null]);
});

Deno.test("_split() keeps MSET key/value pairs together", () => {
  const parts = _split("mset", ["MSET", "foo", "1", "bar", 2, "{foo}z", new Uint8Array([3])])!;
  assert.deepEqual(parts, [
    {
      slot: keySlot("foo"),
      args: ["MSET", "foo", "1", "{foo}z", new Uint8Array([3])],
      positions: [0, 2],
    },
    { slot: keySlot("bar"), args: ["MSET", "bar", 2], positions: [1] },
  ]);
  assert.equal(_merge("mset", parts, ["OK", "OK"]), "OK");
});

Deno.test("_merge() sums DEL, UNLINK, EXISTS and TOUCH counts", () => {
  for (const name of ["del", "unlink", "exists", "touch"]) {
    const parts = _split(name, [name.toUpperCase(), "foo", "bar", "{foo}x"])!;
    assert.equal(parts.length, 2, name);
    assert.equal(_merge(name, parts, [2, 1]), 3, name);
    assert.equal(_merge(name, parts, [0, 0]), 0, name);
  }
});

Deno.test("_split() hashes byte and number keys like the server does", () => {
  const parts = _split("del", ["DEL", new TextEncoder().encode("foo"), 42, "foo"])!;
  assert.deepEqual(parts.map((p) => p.slot), [keySlot("foo"), keySlot("42")]);
  assert.deepEqual(parts[0]!.positions, [0, 2]);
});

Deno.test("_split() leaves a command whose keys share one slot unsplit", () => {
  assert.equal(_split("mget", ["MGET", "{user1}a", "{user1}b", "{user1}c"]), undefined);
  assert.equal(_split("mset", ["MSET", "foo", "1", "{foo}bar", "2"]), undefined);
  assert.equal(_split("del", ["DEL", "foo"]), undefined);
});

Deno.test("_split() leaves malformed or unsplittable commands to the server", () => {
  // Odd MSET arity: the server rejects it with its own error.
  assert.equal(_split("mset", ["MSET", "foo", "1", "bar"]), undefined);
  assert.equal(_split("mget", ["MGET"]), undefined);
  assert.equal(_split("mset", ["MSET"]), undefined);
  assert.equal(_split("get", ["GET", "foo"]), undefined);
  assert.equal(_split("sunion", ["SUNION", "foo", "bar"]), undefined);
});

Deno.test("_merge() returns the first error among the parts", () => {
  const parts = _split("mget", ["MGET", "foo", "bar", "baz"])!;
  assert.equal(parts.length, 3);
  const first = new RedisError("CLUSTERDOWN The cluster is down");
  const second = new RedisError("ERR second");
  assert.equal(_merge("mget", parts, [["F"], first, second]), first);
  assert.equal(_merge("del", parts.slice(0, 2), [1, second]), second);
  assert.equal(_merge("mset", parts.slice(0, 2), [first, second]), first);
});

Deno.test("_fanOutRule() sends keyless whole-cluster commands to the masters", () => {
  assert.deepEqual(rule(["DBSIZE"]), { to: "masters", merge: "sum" });
  assert.deepEqual(rule(["keys", "user:*"]), { to: "masters", merge: "concat" });
  assert.deepEqual(rule(["FLUSHALL", "ASYNC"]), { to: "masters", merge: "first" });
  assert.deepEqual(rule(["Script", "Exists", "abc"]), { to: "masters", merge: "and" });
  assert.deepEqual(rule(["FUNCTION", "LOAD", "#!lua"]), { to: "masters", merge: "first" });
});

Deno.test("_fanOutRule() sends SCRIPT LOAD and SCRIPT FLUSH to every node, replicas included", () => {
  assert.deepEqual(rule(["SCRIPT", "LOAD", "return 1"]), { to: "all", merge: "first" });
  assert.deepEqual(rule(["script", "flush"]), { to: "all", merge: "first" });
  const te = new TextEncoder();
  assert.deepEqual(rule([te.encode("SCRIPT"), te.encode("LOAD"), "return 1"]), {
    to: "all",
    merge: "first",
  });
});

Deno.test("_fanOutRule() has no rule for keyed or unknown commands", () => {
  for (const args of [["GET", "k"], ["SCRIPT"], ["SCRIPT", "KILL"], ["CLUSTER", "INFO"], []]) {
    assert.equal(rule(args), undefined, args.join(" "));
  }
});

Deno.test("_combine() sums DBSIZE, concatenates KEYS and keeps the first FLUSHALL reply", () => {
  assert.equal(_combine(rule(["DBSIZE"])!, [3, 4, 0]), 7);
  assert.equal(_combine(rule(["DBSIZE"])!, []), 0);
  const keys = _combine(rule(["KEYS", "*"])!, [["a"], ["b", "c"], []]);
  assert.deepEqual(keys, ["a", "b", "c"]);
  assert.equal(_combine(rule(["FLUSHALL"])!, ["OK", "OK"]), "OK");
  assert.equal(_combine(rule(["PING"])!, []), null);
});

Deno.test("_combine() reports a script as existing only where every master has it", () => {
  const exists = rule(["SCRIPT", "EXISTS", "s1", "s2", "s3"])!;
  assert.deepEqual(_combine(exists, [[1, 0, 1], [1, 1, 0], [1, 1, 1]]), [1, 0, 0]);
  assert.deepEqual(_combine(exists, [[1, 1]]), [1, 1]);
});

Deno.test("_combine() returns the first error among the nodes' replies", () => {
  const first = new RedisError("LOADING Redis is loading the dataset in memory");
  const replies: RedisReply[] = [5, first, new RedisError("ERR other")];
  assert.equal(_combine(rule(["DBSIZE"])!, replies), first);
});

/** A real server message for every kind of error. */
const SAMPLES: Record<RedisErrorKind, string> = {
  MOVED: "MOVED 3999 127.0.0.1:6381",
  ASK: "ASK 3999 127.0.0.1:6381",
  TRYAGAIN: "TRYAGAIN Multiple keys request during rehashing of slot",
  CLUSTERDOWN: "CLUSTERDOWN The cluster is down",
  LOADING: "LOADING Redis is loading the dataset in memory",
  READONLY: "READONLY You can't write against a read only replica.",
  MASTERDOWN: "MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to 'no'.",
  CROSSSLOT: "CROSSSLOT Keys in request don't hash to the same slot",
  NOSCRIPT: "NOSCRIPT No matching script. Please use EVAL.",
  BUSY: "BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.",
  OTHER: "WRONGTYPE Operation against a key holding the wrong kind of value",
};

Deno.test("RedisError parses every kind from the server's message", () => {
  for (const [kind, message] of Object.entries(SAMPLES)) {
    const e = new RedisError(message);
    assert.equal(e.kind, kind);
    assert.equal(e.message, message);
    assert.equal(e.code, message.split(" ")[0]);
  }
  assert.equal(new RedisError("BUSYKEY Target key name already exists.").kind, "OTHER");
  assert.equal(new RedisError("ERR").code, "ERR");
});

Deno.test("RedisError parses the slot and address of MOVED and ASK", () => {
  const moved = new RedisError("MOVED 3999 127.0.0.1:6381");
  assert.deepEqual([moved.kind, moved.slot, moved.address], ["MOVED", 3999, "127.0.0.1:6381"]);
  const ask = new RedisError("ASK 0 [::1]:7000");
  assert.deepEqual([ask.kind, ask.slot, ask.address], ["ASK", 0, "[::1]:7000"]);
  // Redis 7 sends ":port" when a node does not know its own announced IP.
  assert.equal(new RedisError("MOVED 16383 :7002").address, ":7002");
  const other = new RedisError("ERR unknown command");
  assert.deepEqual([other.slot, other.address], [undefined, undefined]);
});

Deno.test("RedisError turns a malformed MOVED or ASK into kind OTHER", () => {
  for (
    const message of [
      "MOVED",
      "MOVED 3999",
      "MOVED abc 127.0.0.1:6381",
      "MOVED 16384 127.0.0.1:6381",
      "MOVED -1 127.0.0.1:6381",
      "MOVED 1.5 127.0.0.1:6381",
      "ASK 3999 127.0.0.1:6381 extra",
    ]
  ) {
    const e = new RedisError(message);
    assert.equal(e.kind, "OTHER", message);
    assert.equal(e.code, message.split(" ")[0]);
    assert.deepEqual([e.slot, e.address], [undefined, undefined], message);
  }
});

Deno.test("ClusterRedirectionError names the command, attempts and last redirect", () => {
  const last = new RedisError("MOVED 3999 127.0.0.1:6381");
  const e = new ClusterRedirectionError("GET", 17, last, 3999);
  assert.match(e.message, /Too many Cluster redirections/);
  assert.match(e.message, /GET/);
  assert.ok(e.message.includes("MOVED 3999 127.0.0.1:6381"));
  assert.equal(e.cause, last);
  assert.deepEqual([e.attempts, e.slot], [17, 3999]);
  const bare = new ClusterRedirectionError("PING", 1, "not an error");
  assert.equal(bare.slot, undefined);
  assert.match(bare.message, /Too many Cluster redirections/);
});

Deno.test("PipelineError lists each failed command with its index", () => {
  const wrong = new RedisError("WRONGTYPE x");
  const lost = new ConnectionError("lost", { address: "127.0.0.1:7000" });
  const replies = ["OK", wrong, 1, lost];
  const e = new PipelineError(replies);
  assert.deepEqual(e.errors, [{ index: 1, error: wrong }, { index: 3, error: lost }]);
  assert.equal(e.replies, replies);
  assert.equal(e.cause, wrong);
  assert.match(e.message, /2 of 4/);
  assert.match(e.message, /#1: WRONGTYPE x/);
});

Deno.test("every error class extends Error and has its own name", () => {
  const errors: [Error, string][] = [
    [new RedisError("ERR x"), "RedisError"],
    [new ProtocolError("bad byte"), "ProtocolError"],
    [new ConnectionError("lost"), "ConnectionError"],
    [new TimeoutError("slow"), "TimeoutError"],
    [new ClusterRedirectionError("GET", 17, undefined), "ClusterRedirectionError"],
    [new PipelineError([]), "PipelineError"],
  ];
  for (const [e, name] of errors) {
    assert.ok(e instanceof Error, name);
    assert.equal(e.name, name);
  }
});

Deno.test("ConnectionError and TimeoutError carry the node's address", () => {
  const c = new ConnectionError("lost", { address: "127.0.0.1:7000", sent: true });
  assert.deepEqual([c.address, c.sent], ["127.0.0.1:7000", true]);
  assert.deepEqual([new ConnectionError("lost").address, new ConnectionError("lost").sent], [
    undefined,
    false,
  ]);
  assert.equal(new TimeoutError("slow", { address: "[::1]:7001" }).address, "[::1]:7001");
});

Deno.test("_RETRY_TABLE gives every error kind its action", () => {
  assert.deepEqual(Object.keys(_RETRY_TABLE).sort(), Object.keys(SAMPLES).sort());
  for (const message of Object.values(SAMPLES)) {
    assert.ok(_RETRY_TABLE[new RedisError(message).kind] !== undefined, message);
  }
});

Deno.test("_RETRY_TABLE follows redirects, waits out transient states and fails caller errors", () => {
  const actions = (kinds: readonly RedisErrorKind[]) => kinds.map((k) => _RETRY_TABLE[k]);
  assert.deepEqual(actions(["MOVED", "ASK", "TRYAGAIN"]), ["moved", "ask", "backoff"]);
  // The topology changed under us: refresh the map, then retry.
  assert.deepEqual(actions(["CLUSTERDOWN", "MASTERDOWN", "READONLY"]), Array(3).fill("refresh"));
  // A loading replica cannot serve, but another node of the shard can.
  assert.equal(_RETRY_TABLE.LOADING, "elsewhere");
  // Retrying these would give the same answer or run a script twice.
  assert.deepEqual(actions(["CROSSSLOT", "NOSCRIPT", "BUSY", "OTHER"]), Array(4).fill("fail"));
});

Deno.test("_backoffMs() stays within [ceiling/2, ceiling] of a doubling, capped ceiling", () => {
  const base = 20;
  const cap = 1000;
  for (let attempt = 0; attempt < 40; attempt++) {
    const ceiling = Math.min(cap, base * 2 ** attempt);
    for (const r of [0, 0.25, 0.5, 0.999999]) {
      const ms = _backoffMs(attempt, base, cap, () => r);
      assert.ok(ms >= ceiling / 2 && ms <= ceiling, `attempt ${attempt}, random ${r}: ${ms}`);
    }
  }
  assert.equal(_backoffMs(0, base, cap, () => 0), 10);
  assert.equal(_backoffMs(2, base, cap, () => 0), 40);
});

Deno.test("_backoffMs() never exceeds the cap, however many attempts", () => {
  for (const attempt of [6, 10, 100, 2000]) {
    const ms = _backoffMs(attempt, 20, 1000, () => 0.999999);
    assert.ok(Number.isFinite(ms) && ms <= 1000 && ms >= 500, `attempt ${attempt}: ${ms}`);
  }
});
