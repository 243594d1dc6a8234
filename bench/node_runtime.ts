/**
 * The Node 22 part of `deno task bench`: runs `node_bench.mjs` there (installing Node and the
 * peers into `.runtimes/` when missing) and renders its table, ratios against the best peer.
 * @module
 */
import { ensureRuntime, run, RUNTIMES_DIR } from "../tests/_harness/runtimes.ts";
import { VERSIONS } from "./deps.ts";

/** Per scenario, per client: median ops/s and CPU µs per op. */
export interface NodeBench {
  readonly node: string;
  readonly ops: number;
  readonly repeats: number;
  readonly results: Record<string, {
    title: string;
    clients: Record<string, { opsPerSec: number; cpuUsPerOp: number }>;
  }>;
}

/** Runs the Node scenarios against `seed`; `{ skipped }` when Node cannot be had. */
export async function runNodeBench(
  seed: string,
  ops: number,
  repeats: number,
): Promise<NodeBench | { skipped: string }> {
  const node = await ensureRuntime("node22");
  if ("skipped" in node) return { skipped: node.skipped };
  const peers = `${RUNTIMES_DIR}bench-peers`;
  try {
    await Deno.stat(`${peers}/node_modules/ioredis`);
  } catch {
    await Deno.mkdir(peers, { recursive: true });
    await run("npm", [
      "install",
      "--no-audit",
      "--no-fund",
      "--prefix",
      peers,
      `ioredis@${VERSIONS.ioredis}`,
      `redis@${VERSIONS.redis}`,
    ]);
  }
  const dir = await Deno.makeTempDir({ prefix: "rcluster-bench-" });
  try {
    const bundle = `${dir}/rcluster.js`;
    const mod = new URL("../mod.ts", import.meta.url).pathname;
    await run(Deno.execPath(), ["bundle", "--quiet", "--format", "esm", mod, "-o", bundle]);
    const script = new URL("./node_bench.mjs", import.meta.url).pathname;
    const out = await run(node.path, [script, bundle, peers, seed, String(ops), String(repeats)], {
      timeoutMs: 20 * 60_000,
    });
    return JSON.parse(out.trim().split("\n").at(-1)!) as NodeBench;
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** The Node section of the report. */
export function nodeMarkdown(bench: NodeBench | { skipped: string }): string {
  if ("skipped" in bench) return `## Node 22\n\nSkipped: ${bench.skipped}\n`;
  const rows = Object.values(bench.results).map(({ title, clients }) => {
    const own = clients.rcluster!;
    const peers = Object.entries(clients).filter(([name]) => name !== "rcluster");
    const [bestName, best] = peers.reduce((a, b) => (b[1].opsPerSec > a[1].opsPerSec ? b : a));
    const k = (n: number) => `${(n / 1000).toFixed(1)}k/s`;
    return `| ${title} | ${k(own.opsPerSec)}, ${own.cpuUsPerOp.toFixed(1)} µs | ${bestName} ${
      k(best.opsPerSec)
    }, ${best.cpuUsPerOp.toFixed(1)} µs | ${(own.opsPerSec / best.opsPerSec).toFixed(2)}× ops/s, ${
      (own.cpuUsPerOp / best.cpuUsPerOp).toFixed(2)
    }× CPU |`;
  });
  return [
    `## Node 22 (${bench.node}; each client on Node, ${bench.ops} ops per run, median of ${bench.repeats})`,
    "",
    "| scenario | rcluster | best peer | rcluster ÷ best peer |",
    "| --- | --- | --- | --- |",
    ...rows,
    "",
  ].join("\n");
}
