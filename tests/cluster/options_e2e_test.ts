/**
 * Options and features end to end on a real cluster, each checked by what the servers report
 * (INFO commandstats, CLIENT LIST, ACL) rather than by the client's own account.
 */
import assert from "node:assert/strict";
import { keySlot, RedisCluster, RedisError } from "../../mod.ts";
import { LocalCluster } from "../../testing/local_cluster.ts";
import { commandCalls, resetStats, total } from "../_harness/stats.ts";
import { tcpProxy } from "../_harness/tcp_proxy.ts";
import { until } from "../_harness/wait.ts";

Deno.test("options end to end on a real cluster", async (t) => {
  await using cluster = await LocalCluster.start();
  const { startupNodes } = cluster;
  await using rc = new RedisCluster({ startupNodes, decodeResponses: true });

  await t.step("ACL: a user's rules hold, and a command outside them is NOPERM", async () => {
    for (const node of cluster.nodes) {
      await cluster.cli(
        node.port,
        "acl",
        "setuser",
        "app",
        "on",
        ">s3cret",
        "~app:*",
        "&*",
        "+@all",
      );
    }
    await using app = new RedisCluster({
      startupNodes,
      decodeResponses: true,
      username: "app",
      password: "s3cret",
    });
    assert.equal(await app.set("app:k", "v"), "OK");
    assert.equal(await app.get("app:k"), "v");
    await assert.rejects(app.set("other:k", "v"), (e: unknown) => {
      assert.ok(e instanceof RedisError, String(e));
      assert.equal(e.code, "NOPERM");
      return true;
    });
    const whoami = await (await app.nodes("master"))[0]!.sendCommand(["ACL", "WHOAMI"]);
    assert.equal(whoami, "app");
  });

  await t.step("clientName names every connection the client opens", async () => {
    await using named = new RedisCluster({
      startupNodes,
      clientName: "rc-named",
      readFrom: "replica-preferred",
    });
    for (let i = 0; i < 20; i++) await named.get(`name:${i}`);
    let found = 0;
    for (const node of cluster.nodes) {
      const list = await cluster.cli(node.port, "client", "list");
      found += list.split("\n").filter((l) => l.includes(" name=rc-named ")).length;
    }
    assert.ok(found >= 3, `only ${found} connections carry the name`);
  });

  await t.step("natMap: every node is reached through the address it maps to", async () => {
    const proxies = new Map(cluster.nodes.map((n) => [n.port, tcpProxy(n.port)]));
    try {
      await using mapped = new RedisCluster({
        startupNodes: [{ host: "127.0.0.1", port: proxies.get(cluster.nodes[0]!.port)!.port }],
        decodeResponses: true,
        natMap: ({ host, port }) => ({ host, port: proxies.get(port)?.port ?? port }),
        readFrom: "replica-preferred",
      });
      const keys = Array.from({ length: 50 }, (_, i) => `nat:${i}`);
      for (const k of keys) await mapped.set(k, k);
      assert.deepEqual(await Promise.all(keys.map((k) => mapped.get(k))), keys);
      const proxyPorts = new Set([...proxies.values()].map((p) => p.port));
      assert.ok(mapped.slotMap.nodes().every((n) => proxyPorts.has(n.port)));
      const used = [...proxies.values()].filter((p) => p.accepted > 0).length;
      assert.equal(used, cluster.nodes.length, "some node was not reached through its proxy");
    } finally {
      await Promise.all([...proxies.values()].map((p) => p[Symbol.asyncDispose]()));
    }
  });

  await t.step("runScript sends the source only when a node answers NOSCRIPT", async () => {
    await rc.scriptFlush();
    await resetStats(cluster);
    const script = "return redis.call('INCR', KEYS[1])";
    assert.equal(await rc.runScript(script, ["script:n"], []), 1);
    assert.equal(await rc.runScript(script, ["script:n"], []), 2);
    assert.equal(total(await commandCalls(cluster, "evalsha")), 2);
    assert.equal(total(await commandCalls(cluster, "eval")), 1);
  });

  await t.step(
    "hscanIterator, sscanIterator and zscanIterator return every member once",
    async () => {
      const n = 1000;
      const fields = Object.fromEntries(Array.from({ length: n }, (_, i) => [`f${i}`, `v${i}`]));
      await rc.hset("scan:h", fields);
      await rc.sadd("scan:s", ...Object.keys(fields));
      await rc.zadd("scan:z", Object.fromEntries(Object.keys(fields).map((f, i) => [f, i])));
      const flat: string[] = [];
      for await (const x of rc.hscanIterator("scan:h", { count: 50 })) flat.push(x);
      const pairs = new Map<string, string>();
      for (let i = 0; i < flat.length; i += 2) pairs.set(flat[i]!, flat[i + 1]!);
      assert.deepEqual(Object.fromEntries(pairs), fields);
      const members = new Set<string>();
      for await (const m of rc.sscanIterator("scan:s", { match: "f*" })) members.add(m);
      assert.equal(members.size, n);
      const scored: string[] = [];
      for await (const x of rc.zscanIterator("scan:z")) scored.push(x);
      assert.equal(scored.length, 2 * n);
    },
  );

  await t.step('readFrom "nearest" spreads reads over the master and replicas alike', async () => {
    await using near = new RedisCluster({
      startupNodes,
      decodeResponses: true,
      readFrom: "nearest",
    });
    const key = "near:k";
    await near.set(key, "v");
    const master = await cluster.masterOfSlot(keySlot(key));
    const [replica] = await cluster.replicasOf(master.port);
    await until(async () => (await near.get(key)) === "v", "the key is readable");
    // Round trips are sampled a few times quickly at first: the first samples (a connection's
    // first PING, a busy event loop) are noise the later ones outvote.
    await until(async () => {
      const roles = new Set<string>();
      for (let i = 0; i < 50; i++) await near.get(key, { onServed: (n) => roles.add(n.role) });
      return roles.size === 2;
    }, "the sampler's warm-up rounds are done");
    await resetStats(cluster);
    for (let i = 0; i < 400; i++) await near.get(key);
    const calls = await commandCalls(cluster, "get");
    const [m, r] = [calls.get(master.port)!, calls.get(replica!.port)!];
    assert.equal(m + r, 400);
    assert.ok(m >= 40 && r >= 40, `master ${m}, replica ${r}: one node took (nearly) all`);
  });

  await t.step("maxReplicaLagMs: replicas that keep up keep serving reads", async () => {
    await using bounded = new RedisCluster({
      startupNodes,
      decodeResponses: true,
      readFrom: "replica",
      maxReplicaLagMs: 1000,
    });
    await bounded.set("lag:k", "v");
    await until(async () => (await bounded.get("lag:k")) === "v", "the replica has the key");
    await resetStats(cluster);
    for (let i = 0; i < 50; i++) await bounded.get("lag:k");
    const replicas = new Set((await cluster.replicas()).map((n) => n.port));
    const calls = await commandCalls(cluster, "get");
    assert.equal([...calls].filter(([p]) => replicas.has(p)).reduce((a, [, c]) => a + c, 0), 50);
  });

  await t.step("a node that comes back is reconnected and serves reads again", async () => {
    await using ro = new RedisCluster({
      startupNodes,
      decodeResponses: true,
      readFrom: "replica-preferred",
      refreshIntervalMs: 200,
    });
    const key = "back:k";
    await ro.set(key, "v");
    const master = await cluster.masterOfSlot(keySlot(key));
    const [replica] = await cluster.replicasOf(master.port);
    const servedBy = async (): Promise<string> => {
      let address = "";
      await ro.get(key, { onServed: (n) => address = n.address });
      return address;
    };
    await until(async () => (await servedBy()) === replica!.address, "the replica serves");
    await cluster.kill(replica!.port);
    await until(async () => (await servedBy()) === master.address, "the master takes over");
    await cluster.restart(replica!.port);
    await until(async () => (await servedBy()) === replica!.address, "the replica is back");
  });
});
