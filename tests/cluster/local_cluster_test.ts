import assert from "node:assert/strict";
import { LocalCluster } from "../../testing/local_cluster.ts";
import { requireRedisServer } from "../../testing/_redis_process.ts";

Deno.test("LocalCluster survives a master kill, a restart, a failover and slot migrations", async (t) => {
  await using cluster = await LocalCluster.start();
  const [seed] = cluster.nodes;
  assert.ok(seed);
  assert.equal(cluster.startupNodes.length, 6);

  await t.step("starts 3 masters with one linked replica each", async () => {
    assert.equal((await cluster.masters()).length, 3);
    assert.equal((await cluster.replicas()).length, 3);
    for (const master of await cluster.masters()) {
      assert.equal((await cluster.replicasOf(master.port)).length, 1);
    }
  });

  const key = "harness:{a}";
  const slot = Number(await cluster.cli(seed.port, "cluster", "keyslot", key));
  const original = await cluster.masterOfSlot(slot);

  await t.step("redis-cli -c writes through redirections", async () => {
    assert.equal(await cluster.cli(seed.port, "-c", "set", key, "v1"), "OK");
    assert.equal(await cluster.cli(seed.port, "-c", "get", key), "v1");
    // WAIT makes the replica's copy certain before its master is killed.
    assert.equal(await cluster.cli(original.port, "wait", "1", "5000"), "1");
  });

  const [heir] = await cluster.replicasOf(original.port);
  assert.ok(heir);

  await t.step("a killed master is replaced by its replica", async () => {
    await cluster.kill(original.port);
    await cluster.waitHealthy();
    assert.equal((await cluster.masterOfSlot(slot)).port, heir.port);
    assert.equal(await cluster.cli(heir.port, "get", key), "v1");
  });

  await t.step("a restarted old master comes back as a replica", async () => {
    await cluster.restart(original.port);
    assert.deepEqual((await cluster.replicasOf(heir.port)).map((n) => n.port), [original.port]);
  });

  await t.step("failover() promotes a replica", async () => {
    await cluster.failover(original.port);
    assert.equal((await cluster.masterOfSlot(slot)).port, original.port);
    assert.deepEqual((await cluster.replicasOf(original.port)).map((n) => n.port), [heir.port]);
  });

  const masters = await cluster.masters();
  const target = masters.find((m) => m.port !== original.port);
  assert.ok(target);

  await t.step("migrateSlot() moves a slot with its keys", async () => {
    await cluster.migrateSlot(slot, target.port);
    assert.equal((await cluster.masterOfSlot(slot)).port, target.port);
    assert.equal(await cluster.cli(target.port, "get", key), "v1");
  });

  await t.step("a half migration answers ASK until finishMigration()", async () => {
    const keys = ["half:{b}1", "half:{b}2"];
    for (const k of keys) await cluster.cli(seed.port, "-c", "set", k, k);
    const halfSlot = Number(await cluster.cli(seed.port, "cluster", "keyslot", keys[0] ?? ""));
    const from = await cluster.masterOfSlot(halfSlot);
    const to = masters.find((m) => m.port !== from.port);
    assert.ok(to);
    await cluster.migrateSlot(halfSlot, to.port, { keys: "half" });
    const left = await cluster.cli(from.port, "cluster", "countkeysinslot", `${halfSlot}`);
    assert.equal(left, "1");
    const stayed = await cluster.cli(from.port, "cluster", "getkeysinslot", `${halfSlot}`, "10");
    const gone = keys.find((k) => k !== stayed);
    assert.ok(gone);
    await assert.rejects(cluster.cli(from.port, "get", gone), /ASK/);
    await cluster.finishMigration(halfSlot, to.port);
    for (const k of keys) assert.equal(await cluster.cli(to.port, "get", k), k);
  });
});

Deno.test("a daemonized LocalCluster outlives its handle and stops from a second one", async () => {
  await requireRedisServer();
  const cluster = await LocalCluster.start({ masters: 3, replicasPerMaster: 0, daemonize: true });
  try {
    const again = LocalCluster.attach(cluster.state);
    await again.stop();
    await assert.rejects(cluster.cli(cluster.nodes[0]?.port ?? 0, "ping"), /Connection refused/);
    await assert.rejects(Deno.stat(cluster.state.dir), Deno.errors.NotFound);
  } finally {
    await cluster.stop();
  }
});
