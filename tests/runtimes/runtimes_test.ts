/**
 * The same client on Node 22, Node 24, Bun and workerd, against real local clusters, with the
 * module as a user's bundler sees it: `deno bundle --format esm mod.ts` for Node and Bun (and an
 * esbuild bundle on Node 22), esbuild as a Workers project runs it for workerd. Replica reads are
 * proven by the replicas' own `INFO commandstats`; the Workers checks count the servers' own
 * topology queries.
 */
import assert from "node:assert/strict";
import { LocalCluster } from "../../testing/local_cluster.ts";
import { commandCalls, total } from "../_harness/stats.ts";
import { ensureRuntime, run, type RuntimeName, RUNTIMES_DIR } from "../_harness/runtimes.ts";
import { REPLICA_GETS } from "./scenario.mjs";

const here = new URL(".", import.meta.url).pathname;
const modTs = new URL("../../mod.ts", import.meta.url).pathname;

interface Env {
  startupNodes: string[];
  prefix: string;
  tls?: { caCerts: string[] };
}

/** What every runtime's scenario must return (see scenario.mjs). */
function checkScenario(result: Record<string, unknown>, prefix: string): void {
  assert.equal(result.seed, "bar");
  assert.deepEqual(result.replicaRoles, ["replica"]);
  assert.deepEqual(result.pipeline, ["OK", "1", 1, null, 1, null]);
  assert.equal(result.mset, "OK");
  assert.deepEqual(result.mget, Array.from({ length: 20 }, (_, i) => `v${i}`));
  assert.deepEqual(
    result.scanned,
    Array.from({ length: 20 }, (_, i) => `${prefix}m${i}`).sort(),
  );
  assert.deepEqual(result.migration, { whileMoving: "here", after: "here", movedTo: true });
  assert.equal(result.topologyShards, 3);
}

async function bundle(dir: string): Promise<{ deno: string; esbuild: string | undefined }> {
  const deno = `${dir}/rcluster.deno.js`;
  await run("deno", ["bundle", "--quiet", "--format", "esm", modTs, "-o", deno]);
  const esb = await ensureRuntime("esbuild");
  if ("skipped" in esb) return { deno, esbuild: undefined };
  const esbuild = `${dir}/rcluster.esbuild.js`;
  await run(esb.path, [
    modTs,
    "--bundle",
    "--format=esm",
    "--platform=node",
    `--outfile=${esbuild}`,
  ]);
  return { deno, esbuild };
}

/** Replica GETs counted by the replicas themselves while `f` runs. */
async function replicaGets(cluster: LocalCluster, f: () => Promise<void>): Promise<number> {
  const replicas = new Set((await cluster.replicas()).map((n) => n.port));
  const count = async () => {
    const calls = await commandCalls(cluster, "get");
    return total(new Map([...calls].filter(([port]) => replicas.has(port))));
  };
  const before = await count();
  await f();
  return await count() - before;
}

async function scenarioOn(
  binary: string,
  bundlePath: string,
  env: Env,
): Promise<Record<string, unknown>> {
  const line = await run(binary, [`${here}run_node.mjs`, bundlePath, JSON.stringify(env)], {
    cwd: here,
  });
  const out = JSON.parse(line.trim().split("\n").at(-1)!);
  return out.result;
}

Deno.test("the client runs on Node 22, Node 24, Bun and workerd, unchanged", async (t) => {
  const dir = await Deno.makeTempDir({ prefix: "rcluster-rt-" });
  await using cluster = await LocalCluster.start();
  await using tlsCluster = await LocalCluster.start({ tls: { ports: "tls-only" } });
  const startupNodes = cluster.startupNodes.map((n) => `${n.host}:${n.port}`);
  const tlsEnv = {
    startupNodes: tlsCluster.startupNodes.map((n) => `${n.host}:${n.port}`),
    tls: { caCerts: [tlsCluster.certificates.ca] },
  };
  const bundles = await bundle(dir);
  try {
    const nodeLike: [RuntimeName, string][] = [
      ["node22", "Node 22"],
      ["node24", "Node 24"],
      ["bun", "Bun"],
    ];
    for (const [name, label] of nodeLike) {
      const rt = await ensureRuntime(name);
      if ("skipped" in rt) console.log(`${label}: skipped: ${rt.skipped}`);
      await t.step({
        name: `${label}: seed example, replica reads, pipeline, MGET/MSET, scan, a migration, TLS`,
        ignore: "skipped" in rt,
        fn: async () => {
          if ("skipped" in rt) return;
          const prefix = `${name}:${crypto.randomUUID().slice(0, 8)}:`;
          let result: Record<string, unknown> = {};
          const gets = await replicaGets(cluster, async () => {
            result = await scenarioOn(rt.path, bundles.deno, { startupNodes, prefix });
          });
          checkScenario(result, prefix);
          assert.equal(gets, REPLICA_GETS, "GETs the replicas themselves counted");
          const tlsPrefix = `${prefix}tls:`;
          checkScenario(
            await scenarioOn(rt.path, bundles.deno, { ...tlsEnv, prefix: tlsPrefix }),
            tlsPrefix,
          );
        },
      });
    }

    const node22 = await ensureRuntime("node22");
    await t.step({
      name: "Node 22 runs an esbuild bundle of mod.ts too",
      ignore: "skipped" in node22 || bundles.esbuild === undefined,
      fn: async () => {
        if ("skipped" in node22 || bundles.esbuild === undefined) return;
        const prefix = `esb:${crypto.randomUUID().slice(0, 8)}:`;
        checkScenario(
          await scenarioOn(node22.path, bundles.esbuild, { startupNodes, prefix }),
          prefix,
        );
      },
    });

    const miniflare = await ensureRuntime("miniflare");
    const esbuild = await ensureRuntime("esbuild");
    const workersReady = !("skipped" in node22) && !("skipped" in miniflare) &&
      !("skipped" in esbuild);
    if (!workersReady) console.log("workerd: skipped: node22, miniflare or esbuild missing");
    await t.step({
      name: "workerd: the scenario; a client kept across requests fails at once, clearly; " +
        "maxConnections; a saved topology needs no discovery",
      ignore: !workersReady,
      fn: async () => {
        if ("skipped" in node22) return;
        const prefix = `w:${crypto.randomUUID().slice(0, 8)}:`;
        const child = new Deno.Command(node22.path, {
          args: [
            `${here}run_workers.mjs`,
            RUNTIMES_DIR,
            modTs,
            JSON.stringify({ startupNodes, prefix }),
          ],
          stdin: "piped",
          stdout: "piped",
          stderr: "piped",
        }).spawn();
        const lines = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
        const stderr = new Response(child.stderr).text();
        let buffered = "";
        const nextLine = async (): Promise<string> => {
          while (!buffered.includes("\n")) {
            const { done, value } = await lines.read();
            if (done) throw new Error(`run_workers.mjs ended early:\n${await stderr}`);
            buffered += value;
          }
          const i = buffered.indexOf("\n");
          const line = buffered.slice(0, i);
          buffered = buffered.slice(i + 1);
          return line;
        };
        const topologyQueries = async () =>
          total(await commandCalls(cluster, "cluster\\|shards")) +
          total(await commandCalls(cluster, "cluster\\|slots"));
        const writer = child.stdin.getWriter();
        try {
          assert.deepEqual(JSON.parse(await nextLine()), { ready: true });
          const before = await topologyQueries();
          await writer.write(new TextEncoder().encode("go\n"));
          const { result } = JSON.parse(await nextLine());
          const queries = await topologyQueries() - before;
          console.log(`workerd: ${queries} topology queries for a request started from a snapshot`);

          checkScenario(result.scenario, prefix);
          assert.deepEqual(result.keptFirst, { value: "1" });
          assert.match(result.keptSecond.error, /^ConnectionError: .*earlier request/);
          assert.ok(result.keptSecond.ms < 1000, `failed after ${result.keptSecond.ms} ms`);
          assert.deepEqual(result.budget.sequential, result.budget.keys);
          assert.deepEqual(result.budget.parallel, [
            ...result.budget.keys.slice(0, 2),
            "CapacityError maxConnections 2",
          ]);
          assert.equal(result.savedShards, 3);
          assert.deepEqual(result.snapshot, { value: "s" });
          assert.deepEqual(result.example, [1, 2], "examples/workers.ts counted two visits");
          assert.equal(queries, 0);
        } finally {
          await writer.close().catch(() => {});
          await lines.cancel().catch(() => {});
          await stderr;
          await child.status;
        }
      },
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
