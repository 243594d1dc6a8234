/**
 * The results: markdown tables for people, one JSON file for tools and later comparison.
 * @module
 */
import type { Reads } from "./clients.ts";
import type { CodecResult } from "./codec.ts";
import type { Load, Run, Summary } from "./measure.ts";
import type { MemoryResult } from "./memory.ts";
import type { GrowthResult } from "./growth.ts";

/** One client (or the ceiling) on one scenario. */
export interface Row {
  readonly client: string;
  /** How the client was set up for this scenario, where it matters (replica reads). */
  readonly setting?: string;
  readonly ceiling?: boolean;
  readonly runs: readonly Run[];
  readonly summary?: Summary;
  /** Why there is no figure (a wrong reply, a failure). */
  readonly error?: string;
}

/** Every row of one scenario. */
export interface ScenarioResult {
  readonly id: string;
  readonly title: string;
  readonly unit: string;
  readonly reads: Reads;
  readonly load: Load;
  readonly rows: Row[];
}

/** Everything one bench run found. */
export interface Report {
  readonly meta: Record<string, unknown>;
  readonly scenarios: ScenarioResult[];
  readonly codec: CodecResult[];
  readonly memory: MemoryResult[] | { readonly skipped: string };
  readonly growth: GrowthResult[] | { readonly skipped: string };
  /** The GET/SET scenarios under Node 22 (see node_runtime.ts). */
  readonly node?: unknown;
}

const SUBJECT = "rcluster";

const NOTES = [
  "ops/s is the median over the runs; p50/p99 are medians of each run's percentiles of call",
  "latency; CPU µs/op is the user + system CPU time of the whole Deno process over the measured",
  "run divided by its operations (for redis-benchmark, its own process's); spread is half the",
  "max-min range of ops/s around the median. Each run uses a fresh client in a fresh Worker, the",
  "clients' order rotating per repeat. redis-benchmark at -P 1 writes each request on its own,",
  "so clients that pipeline per tick pass it; -P 16 is the pipelined ceiling.",
].join("\n");

/** The whole report as markdown. */
export function markdown(report: Report): string {
  const parts = [scenarioTable(report.scenarios), NOTES];
  if (report.codec.length > 0) parts.push(codecTable(report.codec));
  parts.push(
    Array.isArray(report.memory)
      ? memoryTable(report.memory)
      : `Memory: skipped (${report.memory.skipped}).`,
    Array.isArray(report.growth)
      ? growthTable(report.growth)
      : `Pipeline growth: skipped (${report.growth.skipped}).`,
  );
  return parts.join("\n\n") + "\n";
}

function scenarioTable(scenarios: readonly ScenarioResult[]): string {
  const lines = [
    "| scenario | client | ops/s | p50 µs | p99 µs | CPU µs/op | rcluster ÷ client | spread |",
    "|---|---|--:|--:|--:|--:|--:|--:|",
  ];
  for (const s of scenarios) {
    const mine = s.rows.find((r) => r.client === SUBJECT)?.summary?.opsPerSec;
    s.rows.forEach((row, i) => {
      const title = i === 0
        ? `${s.title}${s.load.opsPerCall > 1 ? ", latency per " + s.unit : ""}`
        : "";
      const name = row.setting
        ? `${row.client} (${row.setting})`
        : row.ceiling
        ? `${row.client} (C ceiling)`
        : row.client;
      const m = row.summary;
      if (!m) {
        lines.push(`| ${title} | ${name} | ${row.error ?? "no figure"} | | | | | |`);
        return;
      }
      const ratio = row.client === SUBJECT || mine === undefined
        ? "—"
        : `${(mine / m.opsPerSec).toFixed(2)}×`;
      lines.push(
        `| ${title} | ${name} | ${rate(m.opsPerSec)} | ${int(m.p50Us)} | ${int(m.p99Us)} | ` +
          `${m.cpuUsPerOp.toFixed(1)} | ${ratio} | ${
            m.runs > 1 ? `±${int(m.spreadPct / 2)}%` : "—"
          } |`,
      );
    });
  }
  return lines.join("\n");
}

function codecTable(codec: readonly CodecResult[]): string {
  const lines = [
    "| codec: payload | replies as | rcluster MB/s | redis-parser MB/s | rcluster ÷ redis-parser |",
    "|---|---|--:|--:|--:|",
  ];
  const keys = [...new Set(codec.map((c) => `${c.payload}\u0000${c.mode}`))];
  for (const key of keys) {
    const [payload, mode] = key.split("\u0000");
    const of = (decoder: string): number =>
      codec.find((c) => c.payload === payload && c.mode === mode && c.decoder === decoder)
        ?.mbPerSec ?? NaN;
    const [mine, theirs] = [of("rcluster"), of("redis-parser")];
    lines.push(
      `| ${payload} | ${mode} | ${int(mine)} | ${int(theirs)} | ${(mine / theirs).toFixed(2)}× |`,
    );
  }
  return lines.join("\n");
}

function memoryTable(memory: readonly MemoryResult[]): string {
  const lines = [
    "| memory after close() + GC | live heap above harness baseline after warm-ups, KB | " +
    "retained by a long run, KB | by a second one, KB | bytes / command |",
    "|---|--:|--:|--:|--:|",
  ];
  for (const m of memory) {
    lines.push(
      `| ${m.client} | ${int(m.afterWarmUp / 1024)} | ${int(m.retained / 1024)} ` +
        `(${m.commands / 1000}k GETs) | ${int(m.retainedAgain / 1024)} | ` +
        `${m.perCommand.toFixed(2)} |`,
    );
  }
  return lines.join("\n");
}

function rate(opsPerSec: number): string {
  return opsPerSec >= 1000 ? `${(opsPerSec / 1000).toFixed(1)}k` : opsPerSec.toFixed(1);
}

function int(n: number): string {
  return Number.isFinite(n) ? Math.round(n).toLocaleString("en-US") : "—";
}

/** Writes the report as JSON, through a temporary file so a reader never sees half of it. */
export async function writeJson(path: string, report: Report): Promise<void> {
  const dir = path.slice(0, path.lastIndexOf("/"));
  if (dir) await Deno.mkdir(dir, { recursive: true });
  await Deno.writeTextFile(`${path}.tmp`, JSON.stringify(report, null, 2) + "\n");
  await Deno.rename(`${path}.tmp`, path);
}

function growthTable(rows: readonly GrowthResult[]): string {
  const lines = [
    "| rcluster pipeline of | µs per command | queued: B per command | peak while running: B per command | with replies: B per command | left after |",
    "|--:|--:|--:|--:|--:|--:|",
  ];
  for (const g of rows) {
    lines.push(
      `| ${g.commands.toLocaleString("en")} GETs | ${g.usPerCommand.toFixed(2)} | ${
        int(g.queuedBytesPerCommand)
      } | ${int(g.peakBytesPerCommand)} | ${int(g.withRepliesBytesPerCommand)} | ${
        (g.leftBytes / 1024).toFixed(0)
      } KiB |`,
    );
  }
  return lines.join("\n");
}
