/**
 * A whole-cluster SCAN while a third of the slots migrate (`redis-cli --cluster reshard`) and a
 * master fails over: every pass returns every key that existed throughout, plain and in
 * readonly mode, through `scanIterator()` and `scanPage()`.
 */
import assert from "node:assert/strict";
import { RedisCluster } from "../../mod.ts";
import { LocalCluster } from "../../testing/local_cluster.ts";

const KEYS = 20_000;

Deno.test("SCAN misses no key while a third of the slots migrate and a master fails over", async () => {
  await using cluster = await LocalCluster.start({ nodeTimeoutMs: 1000 });
  const { startupNodes } = cluster;
  await using rc = new RedisCluster({ startupNodes, decodeResponses: true });
  await using ro = new RedisCluster({ startupNodes, decodeResponses: true, readonlyMode: true });
  for (let at = 0; at < KEYS; at += 2000) {
    const p = rc.pipeline();
    for (let i = at; i < at + 2000; i++) p.set(`scan:${i}`, "1");
    await p.execute();
  }

  let moving = true;
  const passes: { how: string; missing: number; repeated: number }[] = [];
  const check = (how: string, keys: string[]): void => {
    const seen = new Set(keys);
    let missing = 0;
    for (let i = 0; i < KEYS; i++) if (!seen.has(`scan:${i}`)) missing++;
    passes.push({ how, missing, repeated: keys.length - seen.size });
  };
  const scanner = async (how: string, client: RedisCluster<true>, count: number) => {
    do {
      const keys: string[] = [];
      if (how.startsWith("scanPage")) {
        let cursor = "0";
        do {
          const page = await client.scanPage(cursor, { match: "scan:*", count });
          keys.push(...page.keys);
          cursor = page.cursor;
        } while (cursor !== "0");
      } else {
        for await (const k of client.scanIterator({ match: "scan:*", count })) keys.push(k);
      }
      check(how, keys);
    } while (moving);
  };
  const scans = Promise.all([
    scanner("scanIterator, COUNT 10", rc, 10),
    scanner("scanIterator, readonlyMode, COUNT 100", ro, 100),
    scanner("scanPage, COUNT 50", rc, 50),
  ]);

  const [first, second, third] = await cluster.masters();
  for (const [from, to] of [[second!, third!], [third!, first!]] as const) {
    await cluster.reshard(from.port, to.port, 2731);
  }
  await cluster.waitHealthy();
  const [replica] = await cluster.replicasOf(first!.port);
  await cluster.failover(replica!.port);
  moving = false;
  await scans;

  for (const how of new Set(passes.map((p) => p.how))) {
    const mine = passes.filter((p) => p.how === how);
    console.log(
      `${how}: ${mine.length} passes, missing ${mine.map((p) => p.missing).join("/")}, ` +
        `repeated ${mine.map((p) => p.repeated).join("/")}`,
    );
  }
  assert.deepEqual(passes.filter((p) => p.missing > 0), []);
});

Deno.test("breaking out of scans and subscriptions leaves no socket or timer", async () => {
  await using cluster = await LocalCluster.start();
  const rc = new RedisCluster({ startupNodes: cluster.startupNodes, decodeResponses: true });
  await rc.mset({ "b:1": "1", "b:2": "2", "b:3": "3" });
  await rc.hset("b:h", { a: "1", b: "2" });
  for await (const _ of rc.scanIterator({ match: "b:*" })) break;
  for await (const _ of rc.hscanIterator("b:h")) break;
  const sub = await rc.subscribe("b:c");
  await rc.publish("b:c", "x");
  for await (const _ of sub) break;
  const ssub = await rc.ssubscribe("b:{s}");
  await rc.spublish("b:{s}", "x");
  for await (const _ of ssub) break;
  await rc.close();
  // The sanitizers fail this test if anything above left a socket, a timer or a promise.
});
