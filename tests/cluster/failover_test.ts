import assert from "node:assert/strict";
import { ConnectionError, keySlot, RedisCluster } from "../../mod.ts";
import { LocalCluster } from "../../testing/local_cluster.ts";
import { until } from "../_harness/wait.ts";

Deno.test("failover on a real cluster", async (t) => {
  await using cluster = await LocalCluster.start();
  const { startupNodes } = cluster;

  await t.step(
    "a killed master: the client follows its replica's promotion on its own",
    async () => {
      await using rc = new RedisCluster({
        startupNodes,
        decodeResponses: true,
        refreshIntervalMs: 500,
      });
      const keys = Array.from({ length: 200 }, (_, i) => `fo:${i}`);
      const sync = { waitReplicas: { replicas: 1, timeoutMs: 2000 } };
      await Promise.all(keys.map((k) => rc.set(k, "0", sync)));
      const victim = await cluster.masterOfSlot(keySlot(keys[0]!));
      const written = new Map(keys.map((k) => [k, "0"]));
      const victimSlots = new Set(
        keys.map((k) => keySlot(k)).filter((s) =>
          rc.slotMap.shardOf(s)?.master.port === victim.port
        ),
      );
      const unexpected: unknown[] = [];
      const lostWrites: string[] = [];
      let rounds = 0;
      let stop = false;
      const load = (async () => {
        for (let round = 1; !stop; round++, rounds++) {
          await Promise.all(keys.map(async (k) => {
            try {
              // Acknowledged writes not yet replicated die with the master (Redis replicates
              // asynchronously), so an older round may come back, but never anything else.
              const before = Number(await rc.get(k));
              if (!(before <= Number(written.get(k)))) unexpected.push(`${k}: ${before}`);
              await rc.set(k, String(round));
              written.set(k, String(round));
            } catch (e) {
              // A write lost with its connection after it was sent is reported, never resent.
              if (e instanceof ConnectionError && e.sent) lostWrites.push(k);
              else unexpected.push(e);
            }
          }));
        }
      })();
      await until(() => rounds >= 2, "the load is running");
      await cluster.kill(victim.port);
      await cluster.waitHealthy();
      const healthyAt = rounds;
      await until(() => rounds >= healthyAt + 3, "three rounds after the failover");
      stop = true;
      await load;
      assert.deepEqual(unexpected, []);
      // Only writes in flight to the killed master can be lost with it, at most one per key.
      const elsewhere = lostWrites.filter((k) => !victimSlots.has(keySlot(k)));
      assert.deepEqual(elsewhere, [], "writes to live masters were reported lost");
      assert.equal(new Set(lostWrites).size, lostWrites.length, "a key lost two writes");
      const newOwner = rc.slotMap.shardOf(keySlot(keys[0]!))?.master;
      assert.notEqual(newOwner?.port, victim.port);
      await Promise.all(keys.map((k) => rc.set(k, "final")));
      assert.deepEqual(await rc.mget(...keys), keys.map(() => "final"));
      // The dead node stays listed (as failed) until it is forgotten: nothing may go to it.
      const deadline = performance.now() + 5000;
      while (!rc.slotMap.nodes().some((n) => n.port === victim.port && n.health === "failed")) {
        assert.ok(performance.now() < deadline, "the killed node was never reported as failed");
        await new Promise((r) => setTimeout(r, 50));
      }
      const everyNode = await rc.nodes("all");
      assert.ok(everyNode.every((n) => n.address !== victim.address));
      await Promise.all(everyNode.map((n) => n.sendCommand(["PING"])));
      const sha = await rc.sendCommand(["SCRIPT", "LOAD", "return 1"]);
      assert.match(String(sha), /^[0-9a-f]{40}$/);
      await cluster.restart(victim.port);
    },
  );

  await t.step("the periodic refresh notices a failover while the client is idle", async () => {
    await using rc = new RedisCluster({ startupNodes, refreshIntervalMs: 200 });
    await rc.connect();
    const [master] = await cluster.masters();
    const [replica] = await cluster.replicasOf(master!.port);
    const slots = [...Array(16384).keys()].filter((s) =>
      rc.slotMap.shardOf(s)?.master.port === master!.port
    );
    await cluster.failover(replica!.port);
    await until(
      () => rc.slotMap.shardOf(slots[0]!)?.master.port === replica!.port,
      "the failover is noticed (within 5 s)",
      5000,
    );
    for (const s of slots) assert.equal(rc.slotMap.shardOf(s)?.master.port, replica!.port);
  });
});
