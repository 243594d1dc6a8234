/**
 * The closed-loop runner and the statistics: calls in flight, latency per call, the process's own
 * CPU time, and medians over repeated runs.
 * @module
 */
import process from "node:process";

/** One measured run. */
export interface Run {
  /** Operations per second (commands, or calls where a call is the unit). */
  readonly opsPerSec: number;
  readonly p50Us: number;
  readonly p99Us: number;
  /** User + system CPU time of this process per operation. */
  readonly cpuUsPerOp: number;
  readonly seconds: number;
}

/** How a workload is driven. */
export interface Load {
  /** Calls made. */
  readonly calls: number;
  /** Calls awaiting their reply at any time. */
  readonly inFlight: number;
  /** Operations one call counts for (1000 for a 1000-command pipeline). */
  readonly opsPerCall: number;
}

/**
 * Keeps `inFlight` calls going until `calls` were made; call `i` is `call(i)`. Each of the
 * `inFlight` workers awaits its call before making the next, as an application would.
 */
export async function closedLoop(
  load: Load,
  call: (i: number) => Promise<unknown>,
): Promise<Run> {
  const { calls, inFlight, opsPerCall } = load;
  const latencies = new Float64Array(calls);
  let next = 0;
  const worker = async (): Promise<void> => {
    for (let i = next++; i < calls; i = next++) {
      const t = performance.now();
      await call(i);
      latencies[i] = performance.now() - t;
    }
  };
  const cpu = process.cpuUsage();
  const start = performance.now();
  await Promise.all(Array.from({ length: Math.min(inFlight, calls) }, worker));
  const seconds = (performance.now() - start) / 1000;
  const used = process.cpuUsage(cpu);
  latencies.sort();
  const ops = calls * opsPerCall;
  return {
    opsPerSec: ops / seconds,
    p50Us: percentile(latencies, 0.5) * 1000,
    p99Us: percentile(latencies, 0.99) * 1000,
    cpuUsPerOp: (used.user + used.system) / ops,
    seconds,
  };
}

/** The `q` quantile of sorted values (nearest rank). */
export function percentile(sorted: ArrayLike<number>, q: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[rank] as number;
}

/** The median of some numbers (mean of the middle two for an even count). */
export function median(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] as number : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

/** Medians of each figure over repeated runs, and how far ops/s spread around its median. */
export interface Summary extends Omit<Run, "seconds"> {
  readonly runs: number;
  /** (max - min) / median of ops/s, in percent. */
  readonly spreadPct: number;
}

/** Summarizes repeated runs of one client on one scenario. */
export function summarize(runs: readonly Run[]): Summary {
  const ops = runs.map((r) => r.opsPerSec);
  const opsPerSec = median(ops);
  return {
    runs: runs.length,
    opsPerSec,
    p50Us: median(runs.map((r) => r.p50Us)),
    p99Us: median(runs.map((r) => r.p99Us)),
    cpuUsPerOp: median(runs.map((r) => r.cpuUsPerOp)),
    spreadPct: runs.length > 1 ? (Math.max(...ops) - Math.min(...ops)) / opsPerSec * 100 : 0,
  };
}

/** Runs V8's collector until the heap stops shrinking; false without `--expose-gc`. */
export async function fullGc(): Promise<boolean> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (typeof gc !== "function") return false;
  // Finalizers and closed sockets release more after a turn of the event loop.
  for (let i = 0; i < 4; i++) {
    gc();
    await new Promise((r) => setTimeout(r, 10));
  }
  return true;
}
