/**
 * One thin adapter per client, so every scenario runs the same code against each of them.
 * Where a peer cannot do something across slots (ioredis pipelines, MGET in both peers), the
 * adapter splits the work itself, the way an application using that client has to.
 * @module
 */
import { Cluster, createCluster } from "./deps.ts";
import { keySlot, type ReadFrom, RedisCluster } from "../mod.ts";

/** A cluster node to start from. */
export interface Seed {
  readonly host: string;
  readonly port: number;
}

/** What a scenario may ask of a client. */
export interface Client {
  get(key: string): Promise<unknown>;
  set(key: string, value: string): Promise<unknown>;
  /** MGET of keys in many slots; replies in key order. */
  mget(keys: readonly string[]): Promise<unknown[]>;
  /** GETs of keys in many slots as one pipeline (or one per node); replies in key order. */
  pipelineGet(keys: readonly string[]): Promise<unknown[]>;
  close(): Promise<void>;
}

/** Which nodes serve reads. */
export type Reads = "masters" | "replicas";

/** A client under test, opened afresh for every run. */
export interface ClientSpec {
  readonly name: string;
  /** How this client was set up to read from replicas (shown in the report). */
  readonly replicaSetting: string;
  /** Run only in scenarios with these reads (a variant that matters for them alone). */
  readonly onlyFor?: Reads;
  /** Run only in these scenarios (a variant of one workload, e.g. another pipeline form). */
  readonly onlyScenarios?: readonly string[];
  open(seeds: readonly Seed[], reads: Reads): Promise<Client>;
}

/** Every client in the comparison; rcluster first, as ratios are taken against it. */
export const CLIENTS: readonly ClientSpec[] = [
  {
    name: "rcluster",
    replicaSetting: "readonlyMode: true",
    open: openRcluster,
  },
  {
    // ioredis's scaleReads "slave" reads 3 nodes where readonlyMode reads 6: this row reads 3 too.
    name: "rcluster replicas only",
    replicaSetting: 'readFrom: "replica"',
    onlyFor: "replicas",
    open: (seeds) => openRcluster(seeds, "replicas", "replica"),
  },
  {
    // The plain path with every GET issued in one tick: what an explicit pipeline must beat.
    name: "rcluster Promise.all",
    replicaSetting: "readonlyMode: true",
    onlyScenarios: ["pipeline-1000"],
    open: async (seeds, reads) => {
      const client = await openRcluster(seeds, reads);
      return { ...client, pipelineGet: (keys) => Promise.all(keys.map((k) => client.get(k))) };
    },
  },
  {
    name: "ioredis",
    replicaSetting: 'scaleReads: "slave"',
    open: (seeds, reads) => openIoredis(seeds, reads, false),
  },
  {
    name: "ioredis auto-pipelining",
    replicaSetting: 'scaleReads: "slave"',
    open: (seeds, reads) => openIoredis(seeds, reads, true),
  },
  {
    name: "node-redis",
    replicaSetting: "useReplicas: true",
    open: openNodeRedis,
  },
  {
    // node-redis's fastest explicit form: the caller groups keys per master and sends one
    // multi(routingKey)...execAsPipeline() per group.
    name: "node-redis multi().execAsPipeline() per master",
    replicaSetting: "useReplicas: true",
    onlyScenarios: ["pipeline-1000"],
    open: openNodeRedisGrouped,
  },
];

async function openRcluster(
  seeds: readonly Seed[],
  reads: Reads,
  readFrom?: ReadFrom,
): Promise<Client> {
  const rc = new RedisCluster({
    startupNodes: seeds,
    decodeResponses: true,
    readonlyMode: reads === "replicas",
    ...(readFrom ? { readFrom } : {}),
  });
  await rc.connect();
  return {
    get: (key) => rc.get(key),
    set: (key, value) => rc.set(key, value),
    mget: (keys) => rc.mget(...keys),
    pipelineGet: (keys) => {
      const pipe = rc.pipeline();
      for (const key of keys) pipe.get(key);
      return pipe.execute();
    },
    close: () => rc.close(),
  };
}

async function openIoredis(
  seeds: readonly Seed[],
  reads: Reads,
  enableAutoPipelining: boolean,
): Promise<Client> {
  const cluster = new Cluster(seeds.map(({ host, port }) => ({ host, port })), {
    scaleReads: reads === "replicas" ? "slave" : "master",
    enableAutoPipelining,
  });
  await new Promise<void>((resolve, reject) => {
    cluster.once("ready", resolve);
    cluster.once("error", reject);
  });
  return {
    get: (key) => cluster.get(key),
    set: (key, value) => cluster.set(key, value),
    // MGET must stay within one slot.
    mget: (keys) =>
      _splitJoin(keys, (k) => String(keySlot(k)), async (part) => await cluster.mget(...part)),
    // A pipeline must stay within one node: one per master, all in parallel.
    pipelineGet: (keys) =>
      _splitJoin(keys, (k) => cluster.slots[keySlot(k)]?.[0] ?? "", async (part) => {
        const pipe = cluster.pipeline();
        for (const key of part) pipe.get(key);
        const replies = (await pipe.exec()) ?? [];
        return replies.map(([error, reply]) => error ?? reply);
      }),
    close: async () => {
      await cluster.quit();
    },
  };
}

async function openNodeRedis(seeds: readonly Seed[], reads: Reads): Promise<Client> {
  const cluster = createCluster({
    rootNodes: seeds.map(({ host, port }) => ({ url: `redis://${host}:${port}` })),
    useReplicas: reads === "replicas",
  });
  await cluster.connect();
  return {
    get: (key) => cluster.get(key),
    set: (key, value) => cluster.set(key, value),
    // mGet routes by its first key: the server would answer CROSSSLOT.
    mget: (keys) => _splitJoin(keys, (k) => String(keySlot(k)), (part) => cluster.mGet(part)),
    // Commands issued in one tick are written as one pipeline per node: node-redis's own way.
    pipelineGet: (keys) => Promise.all(keys.map((key) => cluster.get(key))),
    close: () => cluster.close(),
  };
}

async function openNodeRedisGrouped(seeds: readonly Seed[], reads: Reads): Promise<Client> {
  const client = await openNodeRedis(seeds, reads);
  const cluster = createCluster({
    rootNodes: seeds.map(({ host, port }) => ({ url: `redis://${host}:${port}` })),
    useReplicas: reads === "replicas",
  });
  await cluster.connect();
  return {
    ...client,
    pipelineGet: (keys) =>
      _splitJoin(keys, (k) => cluster.slots[keySlot(k)]?.master.address ?? "", (part) => {
        // Each command is added to the same object; only its type grows with the chain.
        const multi = cluster.multi(part[0]);
        for (const key of part) multi.get(key);
        return multi.execAsPipeline();
      }),
    close: async () => {
      await client.close();
      await cluster.close();
    },
  };
}

/** Runs `run` once per group of keys (in parallel) and puts the replies back in key order. */
async function _splitJoin(
  keys: readonly string[],
  groupOf: (key: string) => string,
  run: (keys: string[]) => Promise<readonly unknown[]>,
): Promise<unknown[]> {
  const groups = new Map<string, { keys: string[]; at: number[] }>();
  keys.forEach((key, i) => {
    const id = groupOf(key);
    let group = groups.get(id);
    if (!group) groups.set(id, group = { keys: [], at: [] });
    group.keys.push(key);
    group.at.push(i);
  });
  const out = new Array<unknown>(keys.length);
  await Promise.all(
    [...groups.values()].map(async ({ keys, at }) => {
      const replies = await run(keys);
      at.forEach((i, j) => out[i] = replies[j]);
    }),
  );
  return out;
}
