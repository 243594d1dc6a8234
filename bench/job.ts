/**
 * A job: one client's run on one scenario, or its memory measure. bench.ts runs each in a Worker
 * of its own (worker.ts), or on the main thread with `--in-process` for a CPU profile.
 * @module
 */
import { CLIENTS, type ClientSpec, type Seed } from "./clients.ts";
import { closedLoop, type Run } from "./measure.ts";
import { measureMemory, type MemoryResult } from "./memory.ts";
import { makeDataSet, type Scenario, scenarios, type Sizes } from "./scenarios.ts";
import { type GrowthResult, measureGrowth } from "./growth.ts";

/** What the main thread asks of a worker. */
export type Job =
  | {
    readonly kind: "run";
    readonly client: string;
    readonly scenario: string;
    readonly sizes: Sizes;
    readonly seeds: readonly Seed[];
  }
  | {
    readonly kind: "memory";
    readonly client: string;
    readonly commands: number;
    readonly seeds: readonly Seed[];
  }
  | {
    readonly kind: "growth";
    readonly lengths: readonly number[];
    readonly repeats: number;
    readonly seeds: readonly Seed[];
  };

/** What a worker answers. */
export type Outcome =
  | {
    readonly ok: true;
    readonly run?: Run;
    readonly memory?: MemoryResult;
    readonly growth?: GrowthResult[];
  }
  | { readonly ok: false; readonly error: string };

/** A run: a fresh client, a warm-up whose first reply is checked, then the measure. */
async function runClient(spec: ClientSpec, s: Scenario, seeds: readonly Seed[]): Promise<Run> {
  const client = await spec.open(seeds, s.reads);
  try {
    const first = await s.call(client, 0);
    if (!s.check(first)) throw new Error(`wrong reply: ${String(first).slice(0, 40)}`);
    const warmUp = Math.min(Math.ceil(s.load.calls / 10), 5000);
    await closedLoop({ ...s.load, calls: warmUp }, (i) => s.call(client, i));
    return await closedLoop(s.load, (i) => s.call(client, i));
  } finally {
    await client.close();
  }
}

async function attempt(job: Job): Promise<Outcome> {
  if (job.kind === "growth") {
    return {
      ok: true,
      growth: await measureGrowth(job.seeds, makeDataSet(), job.lengths, job.repeats),
    };
  }
  const spec = CLIENTS.find((c) => c.name === job.client);
  if (!spec) return { ok: false, error: `no client ${job.client}` };
  if (job.kind === "memory") {
    return { ok: true, memory: await measureMemory(spec, job.seeds, makeDataSet(), job.commands) };
  }
  const s = scenarios(makeDataSet(), job.sizes).find((s) => s.id === job.scenario);
  if (!s) return { ok: false, error: `no scenario ${job.scenario}` };
  return { ok: true, run: await runClient(spec, s, job.seeds) };
}

/** Runs a job; a failure comes back as an outcome, never thrown. */
export async function runJob(job: Job): Promise<Outcome> {
  try {
    return await attempt(job);
  } catch (e) {
    return { ok: false, error: e instanceof Error ? e.message : String(e) };
  }
}
