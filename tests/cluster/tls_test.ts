/**
 * TLS as production runs it: a TLS-only cluster requiring client certificates (mutual TLS), and
 * a cluster announcing a plaintext and a TLS port per node.
 */
import assert from "node:assert/strict";
import { ConnectionError, RedisCluster } from "../../mod.ts";
import { LocalCluster } from "../../testing/local_cluster.ts";

Deno.test("a TLS-only cluster that requires client certificates", async (t) => {
  await using cluster = await LocalCluster.start({
    tls: { ports: "tls-only", clientCertificates: true },
  });
  const { ca, clientCert, clientKey } = cluster.certificates;
  const { startupNodes } = cluster;

  await t.step("mutual TLS: writes, replica reads and a cross-slot pipeline work", async () => {
    await using rc = new RedisCluster({
      startupNodes,
      decodeResponses: true,
      readFrom: "replica",
      tls: { caCerts: [ca], cert: clientCert, key: clientKey },
    });
    await rc.mset({ "tls:a": "1", "tls:b": "2", "tls:c": "3" });
    const served: string[] = [];
    const onServed = (n: { role: string }) => served.push(n.role);
    assert.deepEqual(
      await Promise.all(["tls:a", "tls:b", "tls:c"].map((k) => rc.get(k, { onServed }))),
      ["1", "2", "3"],
    );
    assert.deepEqual(served, ["replica", "replica", "replica"]);
    assert.deepEqual(await rc.pipeline().get("tls:a").incr("tls:n").get("tls:c").execute(), [
      "1",
      1,
      "3",
    ]);
  });

  await t.step("without a client certificate the handshake is refused, clearly", async () => {
    await using rc = new RedisCluster({ startupNodes, tls: { caCerts: [ca] } });
    await assert.rejects(rc.connect(), (e: unknown) => {
      assert.ok(e instanceof ConnectionError, String(e));
      assert.match(e.message, /could not discover the cluster/);
      return true;
    });
  });

  await t.step("a plaintext client on a TLS port is told the port may need TLS", async () => {
    await using rc = new RedisCluster({ startupNodes: startupNodes.slice(0, 1) });
    await assert.rejects(rc.connect(), (e: unknown) => {
      assert.ok(e instanceof ConnectionError, String(e));
      assert.match(e.message, /TLS port\? \(set the tls option\)/);
      return true;
    });
  });
});

Deno.test("a cluster with a plaintext and a TLS port per node", async (t) => {
  await using cluster = await LocalCluster.start({ tls: { ports: "both" } });
  const { ca } = cluster.certificates;

  await t.step("a TLS client dials every node's tls-port, redirects included", async () => {
    await using rc = new RedisCluster({
      startupNodes: cluster.tlsStartupNodes,
      decodeResponses: true,
      tls: { caCerts: [ca] },
    });
    await rc.set("both:k", "v");
    assert.equal(await rc.get("both:k"), "v");
    const tlsPorts = new Set(cluster.nodes.map((n) => n.tlsPort));
    const dialled = rc.slotMap.nodes().map((n) => n.port);
    assert.ok(dialled.every((p) => tlsPorts.has(p)), `dialled ${dialled}`);
  });

  await t.step("a plaintext client on the same cluster dials the plaintext ports", async () => {
    await using rc = new RedisCluster({
      startupNodes: cluster.startupNodes,
      decodeResponses: true,
    });
    assert.equal(await rc.get("both:k"), "v");
    const plain = new Set(cluster.nodes.map((n) => n.port));
    assert.ok(rc.slotMap.nodes().every((n) => plain.has(n.port)));
  });

  await t.step("a TLS client on a plaintext port is told the port may not speak TLS", async () => {
    await using rc = new RedisCluster({
      startupNodes: cluster.startupNodes.slice(0, 1),
      tls: { caCerts: [ca] },
      connectTimeoutMs: 500,
    });
    await assert.rejects(rc.connect(), (e: unknown) => {
      assert.ok(e instanceof ConnectionError, String(e));
      assert.match(e.message, /is it a plaintext port\?/);
      return true;
    });
  });
});
