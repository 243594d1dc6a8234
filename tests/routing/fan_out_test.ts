import assert from "node:assert/strict";
import { _combine, _fanOutRule } from "../../src/routing/fan_out.ts";
import { RedisError } from "../../src/errors.ts";
import type { RedisArgument, RedisReply } from "../../src/types.ts";
import { _commandName } from "../../src/routing/command_name.ts";

const rule = (args: readonly RedisArgument[]) =>
  _fanOutRule(args.length ? _commandName(args) : "", args);

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
