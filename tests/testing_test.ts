/** `@x/rcluster/testing` as a user runs it: a cluster with a password, faults, and a clean stop. */
import assert from "node:assert/strict";
import { AuthError, RedisCluster } from "../mod.ts";
import { startLocalCluster } from "../testing.ts";

Deno.test("startLocalCluster(): an ACL cluster, a kill, a failover, a migration, a clean stop", async () => {
  const cluster = await startLocalCluster({
    masters: 3,
    replicasPerMaster: 1,
    nodeTimeoutMs: 1000,
    acl: { username: "app", password: "s3cret" },
  });
  try {
    assert.equal(cluster.nodes.length, 6);
    await using anon = new RedisCluster({ startupNodes: cluster.startupNodes });
    await assert.rejects(anon.get("k"), AuthError);
    await using rc = new RedisCluster({
      startupNodes: cluster.startupNodes,
      username: "app",
      password: "s3cret",
      decodeResponses: true,
    });
    await rc.set("t:k", "v");
    const master = await cluster.masterOf("t:k");
    await cluster.failover(master);
    assert.notEqual((await cluster.masterOf("t:k")).port, master.port);
    assert.equal(await rc.get("t:k"), "v");

    const slot = 0;
    const owner = await cluster.masterOf(slot);
    const other = (await cluster.masterOf(16383)).port === owner.port
      ? await cluster.masterOf(8000)
      : await cluster.masterOf(16383);
    await cluster.migrateSlots([slot], other);
    assert.equal((await cluster.masterOf(slot)).port, other.port);

    const victim = await cluster.masterOf("t:k");
    await cluster.kill(victim);
    await cluster.waitHealthy();
    assert.equal(await rc.get("t:k"), "v");
    await cluster.restart(victim);
    assert.match(await cluster.cli(victim, "role"), /^slave|^master/);
  } finally {
    await cluster.stop();
  }
  // Nothing left listening on any of its ports.
  for (const n of cluster.nodes) {
    await assert.rejects(Deno.connect({ hostname: n.host, port: n.port }), `${n.port} still open`);
  }
});
