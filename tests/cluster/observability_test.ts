/**
 * Events, stats and OpenTelemetry on a real cluster: each event in the scenario that causes it,
 * `stats()` against the servers' own `INFO commandstats`, and the spans and metrics the
 * OpenTelemetry SDK records (test-only imports; the library imports neither).
 */
import assert from "node:assert/strict";
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  MeterProvider,
  MetricReader,
  SimpleSpanProcessor,
} from "../_harness/otel.ts";
import { keySlot, RedisCluster, type RedisClusterEventDetails } from "../../mod.ts";
import { LocalCluster } from "../../testing/local_cluster.ts";
import { until } from "../_harness/wait.ts";

type Seen = { [K in keyof RedisClusterEventDetails]: RedisClusterEventDetails[K][] };

function record(rc: RedisCluster<true>): Seen {
  const seen: Seen = {
    topologychange: [],
    failover: [],
    nodeconnect: [],
    nodelost: [],
    redirect: [],
    retry: [],
    subscriptiongap: [],
  };
  for (const type of Object.keys(seen) as (keyof Seen)[]) {
    rc.addEventListener(type, (e) => (seen[type] as unknown[]).push(e.detail));
  }
  return seen;
}

/** A manual reader: the test collects when it wants, no timer. */
class ManualReader extends MetricReader {
  protected override onForceFlush(): Promise<void> {
    return Promise.resolve();
  }
  protected override onShutdown(): Promise<void> {
    return Promise.resolve();
  }
}

Deno.test("events, stats and OpenTelemetry on a real cluster", async (t) => {
  await using cluster = await LocalCluster.start({ nodeTimeoutMs: 1000 });
  const { startupNodes } = cluster;

  await t.step("stats() counts what the servers' INFO commandstats count", async () => {
    await Promise.all(cluster.nodes.map((n) => cluster.cli(n.port, "config", "resetstat")));
    const rc = new RedisCluster({ startupNodes, decodeResponses: true, readFrom: "replica" });
    const writer = new RedisCluster({ startupNodes, decodeResponses: true });
    await writer.connect();
    for (let i = 0; i < 50; i++) await rc.get(`st:${i}`);
    await rc.close();
    const stats = rc.stats();
    await writer.close();
    for (const n of stats.nodes) {
      const port = Number(n.address.slice(n.address.lastIndexOf(":") + 1));
      const info = await cluster.cli(port, "info", "commandstats");
      // Everything but redis-cli's own calls and the other client's.
      let calls = 0;
      for (const m of info.matchAll(/cmdstat_([^:]+):calls=(\d+)/g)) {
        if (!["info", "config|resetstat"].includes(m[1]!)) calls += Number(m[2]);
      }
      const others = writer.stats().nodes.find((w) => w.address === n.address)?.commands ?? 0;
      assert.equal(n.commands, calls - others, `${n.address}: ours ${n.commands}, server ${calls}`);
    }
    assert.equal(stats.totals.replicaReads, 50);
    assert.equal(
      stats.nodes.filter((n) => n.role === "replica").reduce((a, n) => a + n.replicaReads, 0),
      50,
    );
    assert.ok(stats.nodes.every((n) => n.inFlight === 0));
  });

  await t.step("a migration: redirect (ASK, MOVED) and topologychange events", async () => {
    await using rc = new RedisCluster({ startupNodes, decodeResponses: true });
    const seen = record(rc);
    const key = "ev:{m}";
    const slot = keySlot(key);
    await rc.set(key, "1");
    const from = await cluster.masterOfSlot(slot);
    const to = (await cluster.masters()).find((m) => m.port !== from.port)!;
    await cluster.migrateSlot(slot, to.port, { keys: "none" });
    await cluster.cli(
      from.port,
      "migrate",
      "127.0.0.1",
      String(to.port),
      "",
      "0",
      "5000",
      "keys",
      key,
    );
    assert.equal(await rc.get(key), "1");
    await cluster.finishMigration(slot, to.port);
    assert.equal(await rc.get(key), "1");
    const movedTo = () =>
      seen.topologychange.flatMap((e) => e.changes).find((c) =>
        c.to === to.address &&
        c.slots.some((_, i) => i % 2 === 0 && c.slots[i]! <= slot && slot <= c.slots[i + 1]!)
      );
    await until(() => movedTo() !== undefined, "a topologychange with the slot");
    const kinds = seen.redirect.map((r) => r.kind);
    assert.deepEqual(kinds.slice(0, 2), ["ASK", "MOVED"]);
    assert.deepEqual(
      { ...seen.redirect[1]!, from: seen.redirect[1]!.from },
      { kind: "MOVED", command: "GET", slot, from: from.address, to: to.address },
    );
    assert.equal(movedTo()!.from, from.address);
  });

  await t.step("a failover and a killed node: failover, nodelost, nodeconnect, retry", async () => {
    await using rc = new RedisCluster({ startupNodes, decodeResponses: true });
    const seen = record(rc);
    const key = "ev:{f}";
    await rc.set(key, "1");
    const master = await cluster.masterOfSlot(keySlot(key));
    const [replica] = await cluster.replicasOf(master.port);
    await cluster.failover(replica!.port);
    // The first read after it: the demoted node has no READONLY on the client's connection, so
    // it answers MOVED and the read is served by the new master, never by a stale replica.
    let servedBy = "";
    assert.equal(await rc.get(key, { onServed: (n) => servedBy = n.address }), "1");
    assert.equal(servedBy, replica!.address);
    await until(async () => {
      await rc.get(key).catch(() => undefined);
      return seen.failover.length > 0;
    }, `a failover event (seen ${JSON.stringify(seen.topologychange)})`);
    assert.deepEqual(seen.failover[0]!.from, master.address);
    assert.deepEqual(seen.failover[0]!.to, replica!.address);
    // Killed with commands in flight: nodelost, retries, and the connection to the new master.
    const victim = await cluster.masterOfSlot(keySlot(key));
    const load = Array.from({ length: 200 }, (_, i) => rc.get(`{f}${i}`).catch(() => undefined));
    await cluster.kill(victim.port);
    await Promise.all(load);
    await until(async () => {
      await rc.get(key).catch(() => undefined);
      return seen.nodelost.length > 0 && seen.retry.length > 0;
    }, "nodelost and retry events");
    assert.equal(seen.nodelost[0]!.address, victim.address);
    assert.ok(seen.retry.every((r) => r.attempt >= 1 && typeof r.reason === "string"));
    assert.ok(seen.nodeconnect.length > 0);
    await cluster.restart(victim.port);
  });

  await t.step("a listener that throws is logged and breaks nothing", async () => {
    const logged: unknown[] = [];
    const logger = { debug() {}, info() {}, warn() {}, error: (...a: unknown[]) => logged.push(a) };
    await using rc = new RedisCluster({ startupNodes, decodeResponses: true, logger });
    rc.addEventListener("nodeconnect", () => {
      throw new Error("boom");
    });
    await rc.set("ev:t", "1");
    assert.equal(await rc.get("ev:t"), "1");
    assert.ok(logged.length > 0);
  });

  await t.step("spans and metrics with the OpenTelemetry SDK", async () => {
    const exporter = new InMemorySpanExporter();
    const provider = new BasicTracerProvider({
      spanProcessors: [new SimpleSpanProcessor(exporter)],
    });
    const reader = new ManualReader();
    const meters = new MeterProvider({ readers: [reader] });
    await using rc = new RedisCluster({
      startupNodes,
      decodeResponses: true,
      tracer: provider.getTracer("rcluster"),
      meter: meters.getMeter("rcluster"),
      traceQueryText: true,
    });
    await rc.set("otel:k", "secret-value");
    assert.equal(await rc.get("otel:k"), "secret-value");
    await rc.pipeline().get("otel:a").get("otel:b").execute();
    const spans = exporter.getFinishedSpans();
    const get = spans.find((s) => s.name === "GET")!;
    assert.equal(get.attributes["db.system.name"], "redis");
    assert.equal(get.attributes["db.operation.name"], "GET");
    assert.equal(get.attributes["db.query.text"], "GET ?");
    assert.equal(get.attributes["server.address"], "127.0.0.1");
    assert.equal(typeof get.attributes["server.port"], "number");
    assert.equal(get.kind, 2);
    const pipe = spans.find((s) => s.name === "PIPELINE")!;
    assert.equal(pipe.attributes["db.operation.batch.size"], 2);
    assert.ok(!JSON.stringify(spans.map((s) => s.attributes)).includes("secret-value"));
    const { resourceMetrics } = await reader.collect();
    const names = resourceMetrics.scopeMetrics.flatMap((s) =>
      s.metrics.map((m) => m.descriptor.name)
    );
    assert.ok(names.includes("db.client.operation.duration"), names.join());
    await provider.shutdown();
    await meters.shutdown();
  });
});
