/**
 * `deno task bench [--quick] [--repeats N] [--only id,...] [--clients name,...]
 * [--skip ceiling,codec,memory,growth] [--out path] [--in-process]`
 *
 * rcluster against ioredis and node-redis in the same Deno process (each run in a Worker of its
 * own), on a local cluster or on `REDIS_CLUSTER=host:port`, with redis-benchmark as the ceiling.
 * Prints markdown and writes bench/results/latest.json and latest.md. A benchmark reports; it
 * never fails on time. `--in-process` runs the clients on the main thread, for `--cpu-prof`.
 * @module
 */
import { parseArgs } from "node:util";
import { CLIENTS, type Seed } from "./clients.ts";
import { ceilingCases, haveRedisBenchmark, primingCase, runCeiling } from "./ceiling.ts";
import { runCodec } from "./codec.ts";
import { VERSIONS } from "./deps.ts";
import { fullGc, type Run, summarize } from "./measure.ts";
import type { MemoryResult } from "./memory.ts";
import { markdown, type Report, type Row, type ScenarioResult, writeJson } from "./report.ts";
import {
  fill,
  FULL,
  makeDataSet,
  QUICK,
  type Scenario,
  scenarios,
  type Sizes,
} from "./scenarios.ts";
import { type Job, type Outcome, runJob } from "./job.ts";
import type { GrowthResult } from "./growth.ts";
import { LocalCluster } from "../testing/local_cluster.ts";
import { nodeMarkdown, runNodeBench } from "./node_runtime.ts";
import { chartSvg } from "./chart.ts";

const LOAD_AT_START = Deno.loadavg();
const OUT = new URL("./results/latest.json", import.meta.url).pathname;

const { values: flags } = parseArgs({
  args: Deno.args,
  options: {
    quick: { type: "boolean", default: false },
    repeats: { type: "string" },
    only: { type: "string" },
    clients: { type: "string" },
    "in-process": { type: "boolean", default: false },
    skip: { type: "string", default: "" },
    out: { type: "string", default: OUT },
  },
});
const sizes: Sizes = flags.quick ? QUICK : FULL;
const repeats = Number(flags.repeats ?? (flags.quick ? 1 : 3));
if (!Number.isInteger(repeats) || repeats < 1) throw new Error("--repeats needs a whole number");
const skip = new Set(flags.skip.split(",").filter(Boolean));
const only = flags.only?.split(",");
const specs = flags.clients
  ? CLIENTS.filter((c) => flags.clients?.split(",").includes(c.name))
  : CLIENTS;

function log(message: string): void {
  console.error(`[${(performance.now() / 1000).toFixed(0).padStart(4)}s] ${message}`);
}

/** Runs one job in a fresh Worker and ends the worker (or here, with --in-process). */
async function isolated(job: Job): Promise<Outcome> {
  await fullGc();
  if (flags["in-process"]) return await runJob(job);
  const worker = new Worker(new URL("./worker.ts", import.meta.url), { type: "module" });
  try {
    return await new Promise<Outcome>((resolve) => {
      worker.onmessage = (e: MessageEvent<Outcome>) => resolve(e.data);
      worker.onerror = (e) => {
        e.preventDefault();
        resolve({ ok: false, error: e.message });
      };
      worker.postMessage(job);
    });
  } finally {
    worker.terminate();
  }
}

/** Every client (and the ceiling) on one scenario, interleaved, each order rotated per repeat. */
async function runScenario(
  s: Scenario,
  seeds: readonly Seed[],
  ceiling: boolean,
): Promise<ScenarioResult> {
  const cases = ceiling
    ? ceilingCases(sizes.ops, sizes.sequential).filter((k) => k.scenario === s.id)
    : [];
  const runs = new Map<string, Run[]>();
  const errors = new Map<string, string>();
  const add = (name: string, run: Run): void => {
    runs.set(name, [...runs.get(name) ?? [], run]);
  };
  const mine = specs.filter((spec) =>
    (spec.onlyFor ?? s.reads) === s.reads && (spec.onlyScenarios?.includes(s.id) ?? true)
  );
  for (let rep = 0; rep < repeats; rep++) {
    const order = [...mine.slice(rep % mine.length), ...mine.slice(0, rep % mine.length)];
    for (const spec of order) {
      if (errors.has(spec.name)) continue;
      const job: Job = { kind: "run", client: spec.name, scenario: s.id, sizes, seeds };
      const outcome = await isolated(job);
      if (outcome.ok && outcome.run) {
        add(spec.name, outcome.run);
        log(`${s.id} ${spec.name}: ${Math.round(outcome.run.opsPerSec)} ops/s`);
      } else {
        const error = outcome.ok ? "no result" : outcome.error;
        errors.set(spec.name, error);
        log(`${s.id} ${spec.name}: FAILED ${error}`);
      }
    }
    for (const k of cases) add(k.label, await runCeiling(seeds[0] as Seed, k));
  }
  const rows: Row[] = mine.map((spec) => {
    const mine = runs.get(spec.name) ?? [];
    const error = errors.get(spec.name);
    return {
      client: spec.name,
      ...(s.reads === "replicas" ? { setting: spec.replicaSetting } : {}),
      runs: mine,
      ...(mine.length > 0 && error === undefined ? { summary: summarize(mine) } : {}),
      ...(error !== undefined ? { error } : {}),
    };
  });
  for (const k of cases) {
    const mine = runs.get(k.label) ?? [];
    rows.push({ client: k.label, ceiling: true, runs: mine, summary: summarize(mine) });
  }
  const { id, title, unit, reads, load } = s;
  return { id, title, unit, reads, load, rows };
}

async function runMemory(seeds: readonly Seed[]): Promise<MemoryResult[] | { skipped: string }> {
  if (skip.has("memory")) return { skipped: "--skip memory" };
  if (typeof (globalThis as { gc?: unknown }).gc !== "function") {
    return { skipped: "no gc(): run with --v8-flags=--expose-gc" };
  }
  const out: MemoryResult[] = [];
  for (const spec of specs.filter((s) => s.onlyFor === undefined && !s.onlyScenarios)) {
    const commands = sizes.ops / 2;
    const outcome = await isolated({ kind: "memory", client: spec.name, commands, seeds });
    if (!outcome.ok || !outcome.memory) {
      log(`memory ${spec.name}: FAILED ${outcome.ok ? "no result" : outcome.error}`);
      continue;
    }
    out.push(outcome.memory);
    log(`memory ${spec.name}: ${outcome.memory.perCommand.toFixed(2)} B/command retained`);
  }
  return out;
}

async function runGrowth(seeds: readonly Seed[]): Promise<GrowthResult[] | { skipped: string }> {
  if (skip.has("growth")) return { skipped: "--skip growth" };
  const lengths = flags.quick ? [1000, 10_000, 100_000] : [1000, 10_000, 100_000, 1_000_000];
  log(`pipeline growth: ${lengths.join(", ")} GETs`);
  const outcome = await isolated({ kind: "growth", lengths, repeats: flags.quick ? 1 : 3, seeds });
  if (!outcome.ok || !outcome.growth) {
    const error = outcome.ok ? "no result" : outcome.error;
    log(`growth: FAILED ${error}`);
    return { skipped: `failed: ${error}` };
  }
  for (const g of outcome.growth) {
    log(`growth ${g.commands}: ${g.usPerCommand.toFixed(2)} µs/command`);
  }
  return outcome.growth;
}

async function main(): Promise<void> {
  const external = Deno.env.get("REDIS_CLUSTER");
  let cluster: LocalCluster | undefined;
  let seeds: Seed[];
  if (external) {
    const at = external.lastIndexOf(":");
    seeds = [{ host: external.slice(0, at), port: Number(external.slice(at + 1)) }];
  } else {
    log("starting a local cluster (3 masters × 1 replica)");
    cluster = await LocalCluster.start();
    seeds = cluster.startupNodes;
  }
  try {
    const data = makeDataSet();
    log(`filling ${data.keys.length} keys over all slots and ${data.bigKeys.length} of 1 MiB`);
    await fill(seeds, data);
    const ceiling = !skip.has("ceiling") && await haveRedisBenchmark();
    // redis-benchmark's GETs read the keys of its own SETs: write them once before any GET.
    if (ceiling) await runCeiling(seeds[0] as Seed, primingCase(sizes.ops));
    const memory = await runMemory(seeds);
    const results: ScenarioResult[] = [];
    for (const s of scenarios(data, sizes)) {
      if (only && !only.includes(s.id)) continue;
      results.push(await runScenario(s, seeds, ceiling));
    }
    const growth = await runGrowth(seeds);
    const seed = `${(seeds[0] as Seed).host}:${(seeds[0] as Seed).port}`;
    if (!skip.has("node")) log("Node 22: GET and SET scenarios, each client on Node");
    const node = skip.has("node")
      ? { skipped: "--skip node" }
      : await runNodeBench(seed, sizes.ops, repeats).catch((e) => ({ skipped: `failed: ${e}` }));
    if (!skip.has("codec")) log("codec");
    const codec = skip.has("codec") ? [] : runCodec(repeats, flags.quick ? 50 : 300);
    const report: Report = {
      meta: {
        date: new Date().toISOString(),
        command: ["deno task bench", ...Deno.args].join(" "),
        deno: Deno.version,
        cores: navigator.hardwareConcurrency,
        // Another busy process on this 2-core machine skews every figure: look here first.
        loadAverage: { atStart: LOAD_AT_START, atEnd: Deno.loadavg() },
        cluster: external ?? "local: 3 masters × 1 replica, 127.0.0.1",
        sizes,
        repeats,
        versions: VERSIONS,
        seconds: Math.round(performance.now() / 1000),
      },
      scenarios: results,
      codec,
      memory,
      growth,
      node,
    };
    const md = markdown(report) + "\n" + nodeMarkdown(node);
    console.log(md);
    await writeJson(flags.out, report);
    const mdPath = flags.out.replace(/\.json$/, "") + ".md";
    await Deno.writeTextFile(mdPath, md);
    await Deno.writeTextFile(
      mdPath.replace(/\.md$/, ".svg"),
      chartSvg(results, report.meta.date as string),
    );
    // So that `deno fmt --check` passes on committed results.
    await new Deno.Command(Deno.execPath(), {
      args: ["fmt", "-q", flags.out, mdPath, mdPath.replace(/\.md$/, ".svg")],
    }).output();
    log(`wrote ${flags.out} and ${mdPath}`);
  } finally {
    await cluster?.stop();
  }
}

await main();
// Peer clients may leave timers or handles behind after close(); the results are written.
Deno.exit(0);
