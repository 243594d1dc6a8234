/**
 * A pipeline means what its commands mean one by one. A standalone redis-server, fed the same
 * commands one at a time, is the model: seeded random programs (strings, counters, multi-key
 * commands across slots, hashes, lists, sets, sorted sets, expiry, SORT ... STORE, wrong-type
 * errors) run as one pipeline through a plain, a readonlyMode and a replica-reading client must
 * give the model's replies, in order. A failure prints its seed.
 */
import assert from "node:assert/strict";
import { RedisCluster, type RedisReply } from "../../mod.ts";
import { LocalCluster } from "../../testing/local_cluster.ts";
import { startStandalone } from "../_harness/standalone.ts";
import { prng } from "../_harness/keys.ts";

type Command = (string | number)[];

/** Keys shared by every type, so a command often meets a key of another type. */
const POOL = Array.from({ length: 40 }, (_, i) => `p:${i}`);
/** Lists and a destination under one hash tag, for SORT ... STORE. */
const SORTABLE = Array.from({ length: 4 }, (_, i) => `{st}l:${i}`);

function program(seed: number, length: number): Command[] {
  const rand = prng(seed);
  const int = (n: number) => Math.floor(rand() * n);
  const key = () => POOL[int(POOL.length)]!;
  const keys = (n: number) => Array.from({ length: 1 + int(n) }, key);
  const value = () => rand() < 0.7 ? String(int(100)) : `v${int(5)}`;
  const ops: (() => Command)[] = [
    () => ["GET", key()],
    () => ["SET", key(), value()],
    () => ["INCR", key()],
    () => ["APPEND", key(), value()],
    () => ["MSET", ...keys(5).flatMap((k) => [k, value()])],
    () => ["MGET", ...keys(6)],
    () => ["DEL", ...keys(4)],
    () => ["EXISTS", ...keys(4)],
    () => ["HSET", key(), `f${int(4)}`, value()],
    () => ["HGET", key(), `f${int(4)}`],
    () => ["HGETALL", key()],
    () => ["RPUSH", key(), value()],
    () => ["LPUSH", key(), value()],
    () => ["LRANGE", key(), 0, -1],
    () => ["LPOP", key()],
    () => ["SADD", key(), `m${int(6)}`],
    () => ["SMEMBERS", key()],
    () => ["SISMEMBER", key(), `m${int(6)}`],
    () => ["ZADD", key(), int(10), `m${int(6)}`],
    () => ["ZRANGE", key(), 0, -1, "WITHSCORES"],
    () => ["ZSCORE", key(), `m${int(6)}`],
    () => ["EXPIRE", key(), 1000],
    () => ["TTL", key()],
    () => ["PERSIST", key()],
    () => ["TYPE", key()],
    () => ["RPUSH", SORTABLE[int(SORTABLE.length)]!, int(50)],
    () => ["SORT", SORTABLE[int(SORTABLE.length)]!, "STORE", "{st}sorted"],
    () => ["LRANGE", "{st}sorted", 0, -1],
  ];
  return Array.from({ length }, () => ops[int(ops.length)]!());
}

/** Replies made comparable: errors by message, set members sorted, remaining TTLs as "ttl". */
function comparable(cmd: Command, reply: unknown): unknown {
  if (reply instanceof Error) return `error: ${reply.message}`;
  if (cmd[0] === "SMEMBERS" && Array.isArray(reply)) return [...reply].sort();
  if (cmd[0] === "TTL" && typeof reply === "number" && reply > 0) return "ttl";
  return reply;
}

Deno.test("pipelines give the replies of their commands sent one at a time, in order", async (t) => {
  await using cluster = await LocalCluster.start();
  const model = await startStandalone();
  try {
    const { startupNodes } = cluster;
    const clients = [
      ["plain", new RedisCluster({ startupNodes, decodeResponses: true })],
      [
        "readonlyMode",
        new RedisCluster({ startupNodes, decodeResponses: true, readonlyMode: true }),
      ],
      [
        'readFrom "replica"',
        new RedisCluster({ startupNodes, decodeResponses: true, readFrom: "replica" }),
      ],
    ] as const;
    try {
      for (const [label, rc] of clients) {
        await t.step(label, async () => {
          for (const seed of [1, 2, 3]) {
            const commands = program(seed * 1000 + label.length, 1500);
            await rc.flushall({ mode: "SYNC" });
            // Replicas have the FLUSHALL before the pipeline may read from them.
            for (const master of await rc.nodes("master")) {
              await master.sendCommand(["WAIT", 1, 5000]);
            }
            await model.command("FLUSHALL");
            const pipe = rc.pipeline();
            for (const c of commands) pipe.sendCommand(c);
            const ours = await pipe.execute({ throwOnError: false });
            const expected: RedisReply[] = [];
            for (const c of commands) expected.push(await model.command(...c));
            for (let i = 0; i < commands.length; i++) {
              const cmd = commands[i]!;
              assert.deepEqual(
                comparable(cmd, ours[i]),
                comparable(cmd, expected[i]),
                `seed ${seed}, ${label}, command #${i}: ${cmd.join(" ")}`,
              );
            }
          }
        });
      }
    } finally {
      await Promise.all(clients.map(([, rc]) => rc.close()));
    }
  } finally {
    await model.close();
  }
});

Deno.test("split multi-key commands keep their place in a pipeline", async () => {
  await using cluster = await LocalCluster.start({ replicasPerMaster: 0 });
  await using rc = new RedisCluster({ startupNodes: cluster.startupNodes, decodeResponses: true });
  await rc.mset({ a: "1", b: "1" });
  assert.deepEqual(await rc.pipeline().del("a", "b").get("a").get("b").execute(), [2, null, null]);
  assert.deepEqual(await rc.pipeline().mset({ a: "2", b: "2" }).get("a").get("b").execute(), [
    "OK",
    "2",
    "2",
  ]);
  // Cluster-wide commands run in their place on every node, too.
  assert.deepEqual(await rc.pipeline().flushall().set("c", "1").dbsize().execute(), [
    "OK",
    "OK",
    1,
  ]);
});
