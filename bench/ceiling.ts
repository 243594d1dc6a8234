/**
 * `redis-benchmark --cluster` on the same cluster: what a C client with no per-command
 * allocation gets from these nodes on this machine, shown as the ceiling.
 * @module
 */
import type { Seed } from "./clients.ts";
import type { Run } from "./measure.ts";
import { VALUE_BYTES } from "./scenarios.ts";

/** One redis-benchmark configuration, named after the scenario it bounds. */
export interface CeilingCase {
  /** The scenario id this figure is a ceiling for. */
  readonly scenario: string;
  readonly label: string;
  readonly test: "get" | "set";
  readonly requests: number;
  readonly clients: number;
  readonly pipeline: number;
}

/** The cases for a run of `ops` GET/SET calls and `sequential` awaited GETs. */
export function ceilingCases(ops: number, sequential: number): CeilingCase[] {
  const c = (
    scenario: string,
    test: "get" | "set",
    clients: number,
    pipeline = 1,
    requests = ops,
  ): CeilingCase => ({
    scenario,
    label: `redis-benchmark -c ${clients} -P ${pipeline}`,
    test,
    requests,
    clients,
    pipeline,
  });
  return [
    // SET first, so the GETs find their keys.
    c("set-50", "set", 50),
    c("get-50", "get", 50),
    c("get-50", "get", 50, 16),
    c("set-500", "set", 500),
    c("get-500", "get", 500),
    c("get-sequential", "get", 1, 1, sequential),
  ];
}

/** SETs over redis-benchmark's whole key range, so its later GETs find values. */
export function primingCase(ops: number): CeilingCase {
  return {
    scenario: "",
    label: "priming",
    test: "set",
    requests: Math.max(ops, 100_000),
    clients: 50,
    pipeline: 16,
  };
}

/** Whether redis-benchmark is on PATH. */
export async function haveRedisBenchmark(): Promise<boolean> {
  try {
    const out = await new Deno.Command("redis-benchmark", { args: ["--version"] }).output();
    return out.success;
  } catch {
    return false;
  }
}

/**
 * Runs one case. Its CPU time comes from the shell's `times` (the child's user + system time),
 * since a child's resource usage is not otherwise visible from Deno.
 */
export async function runCeiling(seed: Seed, k: CeilingCase): Promise<Run> {
  const args = [
    "--cluster",
    "-h",
    seed.host,
    "-p",
    String(seed.port),
    "-t",
    k.test,
    "-n",
    String(k.requests),
    "-c",
    String(k.clients),
    "-P",
    String(k.pipeline),
    "-d",
    String(VALUE_BYTES),
    "-r",
    "32768",
    "--csv",
  ];
  const out = await new Deno.Command("bash", {
    args: ["-c", 'redis-benchmark "$@" 2>/dev/null; status=$?; times; exit $status', "_", ...args],
    stdin: "null",
  }).output();
  const text = new TextDecoder().decode(out.stdout);
  if (!out.success) throw new Error(`redis-benchmark ${args.join(" ")} failed:\n${text}`);
  const row = text.split("\n").find((l) => l.startsWith(`"${k.test.toUpperCase()}"`));
  const times = text.trim().split("\n").at(-1) ?? "";
  if (!row) throw new Error(`redis-benchmark printed no ${k.test} row:\n${text}`);
  const [, rps, , , p50, , p99] = row.split(",").map((f) => Number(f.replaceAll('"', "")));
  const cpuSeconds = [...times.matchAll(/(\d+)m([\d.]+)s/g)]
    .reduce((sum, m) => sum + Number(m[1]) * 60 + Number(m[2]), 0);
  return {
    opsPerSec: rps ?? NaN,
    p50Us: (p50 ?? NaN) * 1000,
    p99Us: (p99 ?? NaN) * 1000,
    cpuUsPerOp: cpuSeconds * 1e6 / k.requests,
    seconds: k.requests / (rps ?? NaN),
  };
}
