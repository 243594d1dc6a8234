import assert from "node:assert/strict";
import { RedisCluster } from "../../mod.ts";
import type { ReadFrom } from "../../mod.ts";
import { LocalCluster } from "../../testing/local_cluster.ts";
import { until } from "../_harness/wait.ts";
import { prng, tagPerSlot } from "../_harness/keys.ts";

/** GET calls each node served since the last reset, by role. */
async function getCalls(rc: RedisCluster<true>): Promise<{ master: number; replica: number }> {
  const out = { master: 0, replica: 0 };
  for (const node of await rc.nodes("all")) {
    const info = String(await node.sendCommand(["INFO", "commandstats"]));
    out[node.role] += Number(/cmdstat_get:calls=(\d+)/.exec(info)?.[1] ?? 0);
  }
  return out;
}

async function resetStats(rc: RedisCluster<true>): Promise<void> {
  for (const node of await rc.nodes("all")) await node.sendCommand(["CONFIG", "RESETSTAT"]);
}

type Op = [string, ...(string | number)[]];

const TAGS = tagPerSlot();
/** 2000 key stems in 2000 slots spread over the whole slot space (8191 is odd: no repeats). */
const STEMS = Array.from({ length: 2000 }, (_, i) => `{${TAGS[(i * 8191) % 16384]}}`);

/** A deterministic mix of writes and reads over keys all over the slot space. */
function mixedOps(n: number, prefix: string): Op[] {
  const rand = prng(42);
  const ops: Op[] = [];
  for (let i = 0; i < n; i++) {
    const k = `${prefix}:${STEMS[Math.floor(rand() * STEMS.length)]}`;
    const pick = Math.floor(rand() * 6);
    if (pick === 0) ops.push(["SET", `${k}:s`, String(i)]);
    else if (pick === 1) ops.push(["GET", `${k}:s`]);
    else if (pick === 2) ops.push(["INCR", `${k}:n`]);
    else if (pick === 3) ops.push(["DEL", `${k}:n`]);
    else if (pick === 4) ops.push(["HSET", `${k}:h`, `f${i % 7}`, String(i)]);
    else ops.push(["EXPIRE", `${k}:s`, 3600]);
  }
  return ops;
}

/** Runs ops in order, each batch of distinct-key ops concurrently. */
async function runOps(rc: RedisCluster<true>, ops: Op[], piped: boolean): Promise<void> {
  for (let i = 0; i < ops.length; i += 500) {
    const batch = ops.slice(i, i + 500);
    if (piped) {
      const pipe = rc.pipeline();
      for (const op of batch) pipe.sendCommand(op);
      await pipe.execute();
    } else {
      for (const op of batch) await rc.sendCommand(op);
    }
  }
}

async function dump(rc: RedisCluster<true>, prefix: string): Promise<Map<string, unknown>> {
  const out = new Map<string, unknown>();
  for await (const key of rc.scanIterator({ match: `${prefix}:*`, count: 1000 })) {
    const type = await rc.type(key);
    const value = type === "hash" ? await rc.hgetall(key) : await rc.get(key);
    out.set(key.slice(prefix.length), value);
  }
  return out;
}

Deno.test("readonly mode and replica reads on a real cluster", async (t) => {
  await using cluster = await LocalCluster.start();
  const { startupNodes } = cluster;
  await using rc = new RedisCluster({ startupNodes, decodeResponses: true });
  const keys = Array.from({ length: 300 }, (_, i) => `ro:key:${i}`);
  await Promise.all(
    keys.map((k) => rc.set(k, k, { waitReplicas: { replicas: 1, timeoutMs: 2000 } })),
  );

  const readsWith = async (readFrom: ReadFrom | "readonlyMode") => {
    await using client = readFrom === "readonlyMode"
      ? new RedisCluster({ startupNodes, decodeResponses: true, readonlyMode: true })
      : new RedisCluster({ startupNodes, decodeResponses: true, readFrom });
    await client.connect();
    await resetStats(rc);
    const values = await Promise.all(keys.map((k) => client.get(k)));
    assert.deepEqual(values, keys);
    return await getCalls(rc);
  };

  await t.step('readFrom "replica": only replicas serve the GETs', async () => {
    const calls = await readsWith("replica");
    assert.equal(calls.master, 0);
    assert.equal(calls.replica, keys.length);
  });

  await t.step('readFrom "master": only masters serve the GETs', async () => {
    const calls = await readsWith("master");
    assert.equal(calls.master, keys.length);
    assert.equal(calls.replica, 0);
  });

  await t.step("readonlyMode: true: masters and replicas both serve reads", async () => {
    const calls = await readsWith("readonlyMode");
    assert.equal(calls.master + calls.replica, keys.length);
    assert.ok(calls.master > 0 && calls.replica > 0, JSON.stringify(calls));
  });

  await t.step(
    "a per-call readFrom overrides the client's, and onServed names the node",
    async () => {
      await resetStats(rc);
      const roles: string[] = [];
      for (const k of keys.slice(0, 20)) {
        assert.equal(
          await rc.get(k, { readFrom: "replica", onServed: (n) => roles.push(n.role) }),
          k,
        );
      }
      assert.deepEqual(new Set(roles), new Set(["replica"]));
      assert.deepEqual(await getCalls(rc), { master: 0, replica: 20 });
    },
  );

  await t.step("replicaView() reads from replicas and has no write methods", async () => {
    const view = rc.replicaView({ readFrom: "replica" });
    await resetStats(rc);
    assert.deepEqual(await view.mget(...keys.slice(0, 10)), keys.slice(0, 10));
    assert.equal((await getCalls(rc)).master, 0);
    // @ts-expect-error: a write does not compile on the replica view
    assert.equal(typeof view.set, "undefined");
  });

  await t.step(
    "10k mixed writes and reads through a readonly client: no errors, same data",
    async () => {
      await using ro = new RedisCluster({
        startupNodes,
        decodeResponses: true,
        readonlyMode: true,
      });
      await runOps(rc, mixedOps(10_000, "mix-rw"), false);
      await runOps(ro, mixedOps(10_000, "mix-ro"), false);
      await runOps(rc, mixedOps(10_000, "mix-rwp"), true);
      await runOps(ro, mixedOps(10_000, "mix-rop"), true);
      const expected = await dump(rc, "mix-rw");
      assert.ok(expected.size > 1000);
      assert.deepEqual(await dump(rc, "mix-ro"), expected);
      assert.deepEqual(await dump(rc, "mix-rwp"), expected);
      assert.deepEqual(await dump(rc, "mix-rop"), expected);
    },
  );

  await t.step("readYourWrites: 10k write-then-read pairs always see the write", async () => {
    await using ryw = new RedisCluster({
      startupNodes,
      decodeResponses: true,
      readFrom: "replica-preferred",
      readYourWrites: true,
    });
    let stale = 0;
    let fromReplica = 0;
    for (let round = 0; round < 20; round++) {
      await Promise.all(Array.from({ length: 500 }, async (_, i) => {
        const key = `ryw:${i}`;
        const value = `${round}:${i}`;
        await ryw.set(key, value);
        const got = await ryw.get(key, { onServed: (n) => n.role === "replica" && fromReplica++ });
        if (got !== value) stale++;
      }));
    }
    assert.equal(stale, 0);
    // Once replicas catch up the reads go back to them.
    await until(async () => {
      const roles: string[] = [];
      for (let i = 0; i < 30; i++) {
        await ryw.get(`ryw:${i}`, { onServed: (n) => roles.push(n.role) });
      }
      return roles.includes("replica");
    }, "reads return to the replicas");
  });

  await t.step("a replica killed mid-load: reads go on with zero errors", async () => {
    await using ro = new RedisCluster({ startupNodes, decodeResponses: true, readonlyMode: true });
    const [victim] = await cluster.replicas();
    let errors = 0;
    let reads = 0;
    let killed = false;
    const load = (async () => {
      for (let round = 0; round < 40 || !killed; round++) {
        const values = await Promise.all(keys.map((k) => ro.get(k).catch(() => (errors++, null))));
        values.forEach((v, i) => v === keys[i] || errors++);
        reads += keys.length;
      }
    })();
    await until(() => reads >= 2 * keys.length, "the load is running");
    await cluster.kill(victim!.port);
    killed = true;
    await load;
    assert.equal(errors, 0);
    assert.ok(reads >= 40 * keys.length);
    await cluster.restart(victim!.port);
  });
});
