/**
 * How an explicit pipeline's cost grows with its length: time per command and memory per
 * queued command for pipelines of 1k to 1M GETs, on one rcluster client.
 * @module
 */
import { RedisCluster } from "../mod.ts";
import type { Seed } from "./clients.ts";
import { fullGc } from "./measure.ts";
import type { DataSet } from "./scenarios.ts";

/** One pipeline length's figures. */
export interface GrowthResult {
  readonly commands: number;
  /** Wall time of `execute()` per command, µs (median of the repeats). */
  readonly usPerCommand: number;
  /** Live heap of the queued, not yet executed pipeline, per command, bytes. */
  readonly queuedBytesPerCommand: number;
  /** Live heap while the replies are held, per command, bytes (the replies included). */
  readonly withRepliesBytesPerCommand: number;
  /** Highest heap seen while `execute()` ran, per command, bytes (garbage included). */
  readonly peakBytesPerCommand: number;
  /** Live heap left once pipeline and replies are dropped, bytes (for the whole run). */
  readonly leftBytes: number;
}

/** Measures each pipeline length `repeats` times; the figures are medians. */
export async function measureGrowth(
  seeds: readonly Seed[],
  data: DataSet,
  lengths: readonly number[],
  repeats: number,
): Promise<GrowthResult[]> {
  if (!await fullGc()) throw new Error("no gc(): run with --v8-flags=--expose-gc");
  await using rc = new RedisCluster({ startupNodes: seeds, decodeResponses: true });
  await rc.connect();
  const { keys } = data;
  const heap = async (): Promise<number> => {
    await fullGc();
    return Deno.memoryUsage().heapUsed;
  };
  // Warm up the code paths (and let the heap grow) on a few large pipelines first.
  for (let i = 0; i < 3; i++) {
    const pipe = rc.pipeline();
    for (let j = 0; j < 100_000; j++) pipe.get(keys[j % keys.length]!);
    await pipe.execute();
  }
  const out: GrowthResult[] = [];
  for (const n of lengths) {
    const times: number[] = [];
    const queued: number[] = [];
    const held: number[] = [];
    const peaks: number[] = [];
    let left = 0;
    for (let r = 0; r < repeats; r++) {
      const before = await heap();
      let pipe: ReturnType<typeof rc.pipeline> | undefined = rc.pipeline();
      for (let j = 0; j < n; j++) pipe.get(keys[j % keys.length]!);
      queued.push((await heap() - before) / n);
      let peak = 0;
      const sampler = setInterval(() => {
        peak = Math.max(peak, Deno.memoryUsage().heapUsed);
      }, 5);
      const t0 = performance.now();
      let replies: unknown[] | undefined = await pipe.execute();
      times.push((performance.now() - t0) * 1000 / n);
      clearInterval(sampler);
      peaks.push((Math.max(peak, Deno.memoryUsage().heapUsed) - before) / n);
      pipe = undefined;
      held.push((await heap() - before) / n);
      if (replies.length !== n) throw new Error(`${replies.length} replies for ${n} commands`);
      replies = undefined;
      left = await heap() - before;
    }
    out.push({
      commands: n,
      usPerCommand: median(times),
      queuedBytesPerCommand: median(queued),
      withRepliesBytesPerCommand: median(held),
      peakBytesPerCommand: median(peaks),
      leftBytes: left,
    });
  }
  return out;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? NaN;
}
