/**
 * The data set every client reads, and the scenarios run against each client.
 * @module
 */
import { keySlot, RedisCluster, SLOT_COUNT } from "../mod.ts";
import type { Client, Reads, Seed } from "./clients.ts";
import type { Load } from "./measure.ts";

/** Size of the small values, also given to redis-benchmark (`-d`). */
export const VALUE_BYTES = 64;
const KEYS_PER_SLOT = 2;
const BIG_BYTES = 1 << 20;
const BIG_KEYS = 8;
const MGET_KEYS = 100;
const PIPELINE_COMMANDS = 1000;

/** Keys over every slot, with the values they hold once filled. */
export interface DataSet {
  /** `KEYS_PER_SLOT` keys of every slot, in hash order (so neighbours are in unrelated slots). */
  readonly keys: readonly string[];
  readonly value: string;
  readonly bigKeys: readonly string[];
  readonly bigValue: string;
}

/** The same keys on every run: the first names `bench:N` that fill each slot twice. */
export function makeDataSet(): DataSet {
  const perSlot = new Uint8Array(SLOT_COUNT);
  const keys: string[] = [];
  for (let n = 0; keys.length < SLOT_COUNT * KEYS_PER_SLOT; n++) {
    const key = `bench:${n}`;
    const slot = keySlot(key);
    if ((perSlot[slot] as number) < KEYS_PER_SLOT) {
      perSlot[slot] = (perSlot[slot] as number) + 1;
      keys.push(key);
    }
  }
  return {
    keys,
    value: "v".repeat(VALUE_BYTES),
    bigKeys: Array.from({ length: BIG_KEYS }, (_, i) => `bench:big:${i}`),
    bigValue: "b".repeat(BIG_BYTES),
  };
}

/** Writes the data set (with rcluster) and waits until every replica has it. */
export async function fill(seeds: readonly Seed[], data: DataSet): Promise<void> {
  await using rc = new RedisCluster({ startupNodes: seeds, decodeResponses: true });
  for (let at = 0; at < data.keys.length; at += 2000) {
    const pipe = rc.pipeline();
    for (const key of data.keys.slice(at, at + 2000)) pipe.set(key, data.value);
    await pipe.execute();
  }
  await Promise.all(data.bigKeys.map((key) => rc.set(key, data.bigValue)));
  const deadline = performance.now() + 30_000;
  while (!(await replicasCaughtUp(rc))) {
    if (performance.now() > deadline) throw new Error("replicas did not catch up in 30 s");
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function replicasCaughtUp(rc: RedisCluster<true>): Promise<boolean> {
  for (const master of await rc.nodes("master")) {
    const info = String(await master.sendCommand(["INFO", "replication"]));
    const offset = Number(/master_repl_offset:(\d+)/.exec(info)?.[1] ?? NaN);
    const replicas = [...info.matchAll(/^slave\d+:.*offset=(\d+)/gm)].map((m) => Number(m[1]));
    if (replicas.some((r) => !(r >= offset))) return false;
  }
  return true;
}

/** How many calls each scenario makes. */
export interface Sizes {
  /** GET and SET calls per run. */
  readonly ops: number;
  readonly sequential: number;
  readonly pipelines: number;
  readonly mgets: number;
  readonly big: number;
}

/** The full run's sizes. */
export const FULL: Sizes = {
  ops: 200_000,
  sequential: 20_000,
  pipelines: 200,
  mgets: 1000,
  big: 400,
};
/** `--quick`: a smoke run. */
export const QUICK: Sizes = { ops: 20_000, sequential: 2000, pipelines: 20, mgets: 200, big: 40 };

/** One workload, run against every client. */
export interface Scenario {
  readonly id: string;
  readonly title: string;
  readonly reads: Reads;
  readonly load: Load;
  /** What one call is, for the latency columns. */
  readonly unit: string;
  call(client: Client, i: number): Promise<unknown>;
  /** Whether a reply is the right one (checked before measuring, so a broken client shows). */
  check(reply: unknown): boolean;
}

/** Every scenario, in the order they run. */
export function scenarios(data: DataSet, sizes: Sizes): Scenario[] {
  const { keys, value } = data;
  const isValue = (r: unknown): boolean => r === value;
  const allValues = (r: unknown): boolean => Array.isArray(r) && r.every(isValue);
  const isOk = (r: unknown): boolean => r === "OK";
  const get = (c: Client, i: number): Promise<unknown> => c.get(keys[i % keys.length] as string);
  const set = (c: Client, i: number): Promise<unknown> =>
    c.set(keys[i % keys.length] as string, value);
  const one = (calls: number, inFlight: number): Load => ({ calls, inFlight, opsPerCall: 1 });
  const mgetBatches = batches(keys, MGET_KEYS);
  const pipelineBatches = batches(keys, PIPELINE_COMMANDS);
  const out: Scenario[] = [];
  for (const reads of ["masters", "replicas"] as const) {
    const suffix = reads === "replicas" ? ", replica reads" : "";
    for (const inFlight of [50, 500]) {
      out.push({
        id: `get-${inFlight}${reads === "replicas" ? "-replicas" : ""}`,
        title: `GET, ${inFlight} in flight${suffix}`,
        reads,
        load: one(sizes.ops, inFlight),
        unit: "GET",
        call: get,
        check: isValue,
      });
    }
  }
  for (const inFlight of [50, 500]) {
    out.push({
      id: `set-${inFlight}`,
      title: `SET, ${inFlight} in flight`,
      reads: "masters",
      load: one(sizes.ops, inFlight),
      unit: "SET",
      call: set,
      check: isOk,
    });
  }
  out.push(
    {
      id: "pipeline-1000",
      title: `${PIPELINE_COMMANDS}-GET pipelines across slots, 1 in flight (ops = GETs)`,
      reads: "masters",
      load: { calls: sizes.pipelines, inFlight: 1, opsPerCall: PIPELINE_COMMANDS },
      unit: "pipeline",
      call: (c, i) => c.pipelineGet(pipelineBatches[i % pipelineBatches.length] as string[]),
      check: allValues,
    },
    {
      id: "get-sequential",
      title: "GET, sequential (1 in flight)",
      reads: "masters",
      load: one(sizes.sequential, 1),
      unit: "GET",
      call: get,
      check: isValue,
    },
    {
      id: "mget-100",
      title: `MGET of ${MGET_KEYS} keys across slots, 10 in flight (ops = MGETs)`,
      reads: "masters",
      load: one(sizes.mgets, 10),
      unit: "MGET",
      call: (c, i) => c.mget(mgetBatches[i % mgetBatches.length] as string[]),
      check: allValues,
    },
    {
      id: "get-1mib",
      title: "GET of 1 MiB values, 4 in flight",
      reads: "masters",
      load: one(sizes.big, 4),
      unit: "GET",
      call: (c, i) => c.get(data.bigKeys[i % data.bigKeys.length] as string),
      check: (r) => r === data.bigValue,
    },
    {
      id: "set-1mib",
      title: "SET of 1 MiB values, 4 in flight",
      reads: "masters",
      load: one(sizes.big, 4),
      unit: "SET",
      call: (c, i) => c.set(data.bigKeys[i % data.bigKeys.length] as string, data.bigValue),
      check: isOk,
    },
  );
  return out;
}

/** Consecutive runs of `size` keys, made once so slicing stays out of the measurement. */
function batches(keys: readonly string[], size: number): string[][] {
  const out: string[][] = [];
  for (let at = 0; at + size <= keys.length; at += size) out.push(keys.slice(at, at + size));
  return out;
}
