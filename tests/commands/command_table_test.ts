import assert from "node:assert/strict";
import {
  COMMAND_TABLE,
  type CommandMethodName,
  READ_ONLY_METHODS,
  type ReadOnlyCommands,
  type RedisCommands,
  type ScoredMember,
  type StreamBatch,
  type StreamEntry,
} from "../../src/commands/command_table.ts";

Deno.test("READ_ONLY_METHODS holds only reading methods of the table", () => {
  assert.equal(new Set(READ_ONLY_METHODS).size, READ_ONLY_METHODS.length);
  for (const name of READ_ONLY_METHODS) assert.ok(COMMAND_TABLE.has(name), name);
  const writers: CommandMethodName[] = [
    "set",
    "del",
    "unlink",
    "touch",
    "expire",
    "incr",
    "mset",
    "hset",
    "hdel",
    "lpush",
    "lpop",
    "blpop",
    "sadd",
    "spop",
    "zadd",
    "zpopmin",
    "xadd",
    "xreadgroup",
    "xack",
    "eval",
    "evalsha",
    "fcall",
    "publish",
    "flushall",
    "scriptLoad",
    "pfadd",
    "restore",
    "copy",
  ];
  const readers: readonly string[] = READ_ONLY_METHODS;
  for (const name of writers) assert.ok(!readers.includes(name), name);
  for (const name of ["get", "mget", "hgetall", "zrange", "xread", "evalRo", "scan"] as const) {
    assert.ok(READ_ONLY_METHODS.includes(name), name);
  }
});

// ---- compile-time checks: these lines fail `deno check` when the types drift ----

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends (<T>() => T extends B ? 1 : 2) ? true
  : false;
type Call = RedisCommands<true, "call">;
type RawCall = RedisCommands<false, "call">;
type Queue = RedisCommands<true, "queue">;

const _getDecoded: Equal<ReturnType<Call["get"]>, Promise<string | null>> = true;
const _getRaw: Equal<ReturnType<RawCall["get"]>, Promise<Uint8Array | null>> = true;
const _getQueued: Equal<ReturnType<Queue["get"]>, Queue> = true;
const _hgetall: Equal<ReturnType<Call["hgetall"]>, Promise<Record<string, string>>> = true;
const _replicaView: Equal<ReturnType<ReadOnlyCommands<true>["zscore"]>, Promise<number | null>> =
  true;

Deno.test("method types follow decodeResponses, the options given and the mode", () => {
  const _typesOnly = (rc: Call, raw: RawCall, p: Queue): void => {
    const _set: Promise<"OK" | null> = rc.set("k", "v", { ex: 1 });
    const _setGet: Promise<string | null> = rc.set("k", "v", { get: true });
    const _scored: Promise<ScoredMember<true>[]> = rc.zrange("z", 0, -1, { withScores: true });
    const _members: Promise<string[]> = rc.zrange("z", 0, -1);
    const _popped: Promise<string[] | null> = rc.lpop("l", { count: 2 });
    const _one: Promise<Uint8Array | null> = raw.lpop("l");
    const _read: Promise<StreamBatch<StreamEntry<false>>[] | null> = raw.xread({ s: "0" });
    const _scan: Promise<[string, Uint8Array[]]> = raw.scan(0);
    const keys: string[] = ["a", "b"];
    const _del: Promise<number> = rc.del(...keys, { timeoutMs: 5 });
    const _chain: Queue = p.get("a").set("b", "c").del("x").hset("h", { f: "v" });
    // @ts-expect-error options accept only known fields
    rc.del("a", { tiemoutMs: 5 });
    // @ts-expect-error values are never plain objects
    rc.lpush("l", { a: 1 }, "b");
  };
  assert.equal(typeof _typesOnly, "function");
  assert.ok(_getDecoded && _getRaw && _getQueued && _hgetall && _replicaView);
});
