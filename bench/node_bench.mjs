/**
 * The bench's GET and SET scenarios under Node, each client on its own runtime: rcluster (the
 * `deno bundle` of mod.ts), ioredis and node-redis from npm. Run by `deno task bench` with Node 22
 * (`node node_bench.mjs <bundle> <peers dir> <host:port> <ops> <repeats>`); prints one JSON line:
 * per client and scenario, the median ops/s and the process's CPU (user + system) per operation.
 * @module
 */
import { createRequire } from "node:module";
import { join } from "node:path";

const [bundle, peersDir, seed, opsArg, repeatsArg] = process.argv.slice(2);
const OPS = Number(opsArg);
const REPEATS = Number(repeatsArg);
const require = createRequire(join(peersDir, "package.json"));
const { Cluster } = require("ioredis");
const { createCluster } = require("redis");
const { RedisCluster, keySlot, SLOT_COUNT } = await import(bundle);
const [host, port] = [
  seed.slice(0, seed.lastIndexOf(":")),
  Number(seed.slice(seed.lastIndexOf(":") + 1)),
];

/** The keys the Deno bench fills: `bench:N`, two per slot. */
function keys() {
  const perSlot = new Uint8Array(SLOT_COUNT);
  const out = [];
  for (let n = 0; out.length < SLOT_COUNT * 2; n++) {
    const key = `bench:${n}`;
    const slot = keySlot(key);
    if (perSlot[slot] < 2) {
      perSlot[slot]++;
      out.push(key);
    }
  }
  return out;
}

const CLIENTS = {
  rcluster: async () => {
    const rc = new RedisCluster({ startupNodes: [{ host, port }] });
    await rc.connect();
    return { get: (k) => rc.get(k), set: (k, v) => rc.set(k, v), close: () => rc.close() };
  },
  ioredis: () => open(new Cluster([{ host, port }])),
  "ioredis auto-pipelining": () =>
    open(new Cluster([{ host, port }], { enableAutoPipelining: true })),
  "node-redis": async () => {
    const c = createCluster({ rootNodes: [{ url: `redis://${host}:${port}` }] });
    await c.connect();
    return { get: (k) => c.get(k), set: (k, v) => c.set(k, v), close: () => c.close() };
  },
};

async function open(cluster) {
  await new Promise((resolve, reject) => {
    cluster.once("ready", resolve);
    cluster.once("error", reject);
  });
  return {
    get: (k) => cluster.get(k),
    set: (k, v) => cluster.set(k, v),
    close: () => cluster.quit(),
  };
}

const SCENARIOS = [
  { id: "get-50", title: "GET, 50 in flight", inFlight: 50, op: (c, k) => c.get(k) },
  { id: "get-500", title: "GET, 500 in flight", inFlight: 500, op: (c, k) => c.get(k) },
  {
    id: "set-50",
    title: "SET, 50 in flight",
    inFlight: 50,
    op: (c, k) => c.set(k, "v".repeat(64)),
  },
];

async function closedLoop(client, op, inFlight, all, ops = OPS) {
  let next = 0;
  const worker = async () => {
    while (next < ops) {
      const i = next++;
      await op(client, all[(i * 7919) % all.length]);
    }
  };
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await Promise.all(Array.from({ length: inFlight }, worker));
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  return { opsPerSec: ops / (ms / 1000), cpuUsPerOp: (cpu.user + cpu.system) / ops };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const all = keys();
const results = {};
for (const s of SCENARIOS) {
  const runs = {};
  for (let r = 0; r < REPEATS; r++) {
    // Clients interleaved, each fresh, so drift on the machine hits them alike.
    for (const [name, make] of Object.entries(CLIENTS)) {
      const client = await make();
      try {
        await closedLoop(client, s.op, s.inFlight, all, Math.ceil(OPS / 5)); // warm-up
        (runs[name] ??= []).push(await closedLoop(client, s.op, s.inFlight, all));
      } finally {
        await client.close();
      }
    }
  }
  results[s.id] = {
    title: s.title,
    clients: Object.fromEntries(
      Object.entries(runs).map(([name, rs]) => [name, {
        opsPerSec: median(rs.map((x) => x.opsPerSec)),
        cpuUsPerOp: median(rs.map((x) => x.cpuUsPerOp)),
      }]),
    ),
  };
}
console.log(JSON.stringify({ node: process.version, ops: OPS, repeats: REPEATS, results }));
process.exit(0);
