/**
 * Every queue the client keeps has a bound, and a call past it gets an error naming the option:
 * commands waiting for a topology, bytes waiting behind a socket that does not drain, blocking
 * commands' connections, and reply sizes. Real cluster; a frozen node is what does not drain.
 */
import assert from "node:assert/strict";
import { CapacityError, ConnectionError, keySlot, ProtocolError, RedisCluster } from "../../mod.ts";
import { LocalCluster } from "../../testing/local_cluster.ts";

Deno.test("bounds on a real cluster", async (t) => {
  await using cluster = await LocalCluster.start();
  const { startupNodes } = cluster;

  await t.step(
    "maxBlockingConnections: one blocking command past the cap fails at once",
    async () => {
      await using rc = new RedisCluster({ startupNodes, maxBlockingConnections: 2 });
      const waiting = [rc.blpop(["bl:{q}"], 0), rc.blpop(["bl:{q}"], 0)];
      for (const w of waiting) w.catch(() => {});
      await assert.rejects(rc.blpop(["bl:{q}"], 0), (e: unknown) => {
        assert.ok(e instanceof CapacityError, String(e));
        assert.match(e.message, /maxBlockingConnections 2/);
        return true;
      });
      await rc.rpush("bl:{q}", "a", "b");
      assert.equal((await Promise.all(waiting)).length, 2);
    },
  );

  await t.step(
    "maxReplyBytes: a longer reply is a ProtocolError, the client carries on",
    async () => {
      await using rc = new RedisCluster({ startupNodes, maxReplyBytes: 1024 * 1024 });
      await rc.set("big", "x".repeat(2 * 1024 * 1024));
      await assert.rejects(rc.get("big"), (e: unknown) => {
        assert.ok(e instanceof ProtocolError, String(e));
        assert.match(e.message, /bulk length 2097152 exceeds/);
        return true;
      });
      assert.equal(await rc.set("small", "y"), "OK");
    },
  );

  await t.step(
    "maxQueueLength: calls past it are refused while the topology is unknown",
    async () => {
      const frozen = cluster.nodes[0]!;
      cluster.freeze(frozen.port);
      try {
        await using rc = new RedisCluster({
          startupNodes: [{ host: frozen.host, port: frozen.port }],
          maxQueueLength: 10,
          connectTimeoutMs: 3000,
        });
        const waiting = Array.from({ length: 10 }, (_, i) => rc.get(`q:${i}`));
        for (const w of waiting) w.catch(() => {});
        await assert.rejects(rc.get("q:10"), (e: unknown) => {
          assert.ok(e instanceof CapacityError, String(e));
          assert.match(e.message, /^GET not sent: 10 calls already wait .* \(maxQueueLength 10\)/);
          return true;
        });
        await rc.close();
        for (const w of waiting) await assert.rejects(w, ConnectionError);
      } finally {
        cluster.thaw(frozen.port);
      }
    },
  );

  await t.step(
    "maxUnwrittenBytes: a node that stops reading holds back new commands, not memory",
    async () => {
      await using rc = new RedisCluster({
        startupNodes,
        maxUnwrittenBytes: 4 * 1024 * 1024,
        // The stall watch would make new commands wait anyway: this step is about the byte cap.
        stallMs: 0,
      });
      // Connected before the freeze: this step is about a connection that stops draining.
      await rc.set("{unwritten}:0", "");
      const slot = keySlot("unwritten");
      const victim = rc.slotMap.shardOf(slot)!.master;
      cluster.freeze(victim.port);
      try {
        const value = "v".repeat(1024 * 1024);
        const writes = Array.from(
          { length: 64 },
          (_, i) => rc.set(`{unwritten}:${i}`, value, { timeoutMs: 1500 }),
        );
        const outcomes = await Promise.allSettled(writes);
        const capped = outcomes.filter((o) =>
          o.status === "rejected" && o.reason instanceof CapacityError &&
          o.reason.option === "maxUnwrittenBytes"
        );
        console.log(`${capped.length} of 64 1 MiB writes held back by maxUnwrittenBytes 4 MiB`);
        assert.ok(capped.length > 32, `only ${capped.length} writes were held back`);
      } finally {
        cluster.thaw(victim.port);
      }
    },
  );
});
