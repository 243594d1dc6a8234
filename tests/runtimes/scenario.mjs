// deno-lint-ignore-file explicit-module-boundary-types -- plain JavaScript for every runtime; its types are in JSDoc
/**
 * The runtime suite's scenario, plain JavaScript so every runtime runs it as is: the seed
 * example, replica reads, a cross-slot pipeline, MGET/MSET across slots, a whole-cluster scan, and
 * a slot migrated under the client (ASK while it moves, MOVED after). It takes the module under
 * test (a bundle) and returns what it saw; the Deno test checks the figures against the servers'
 * own counters.
 * @module
 */

/** Replica GETs the scenario makes: the test expects exactly this many on the replicas. */
export const REPLICA_GETS = 40;

/**
 * Runs the scenario.
 * @param {any} rcluster the module under test
 * @param {{ startupNodes: string[], prefix: string, tls?: { caCerts: string[] } }} env
 * @returns {Promise<Record<string, unknown>>}
 */
export async function runScenario(rcluster, env) {
  const { RedisCluster } = rcluster;
  const p = env.prefix;
  const base = { startupNodes: env.startupNodes, decodeResponses: true };
  if (env.tls) base.tls = env.tls;
  const out = {};
  const rc = new RedisCluster(base);
  try {
    await rc.set(`${p}foo16706`, "bar");
    out.seed = await rc.get(`${p}foo16706`);

    const ro = new RedisCluster({ ...base, readFrom: "replica" });
    try {
      const roles = [];
      const onServed = (n) => roles.push(n.role);
      for (let i = 0; i < REPLICA_GETS; i++) await ro.get(`${p}foo16706`, { onServed });
      out.replicaRoles = [...new Set(roles)];
    } finally {
      await ro.close();
    }

    out.pipeline = await rc.pipeline()
      .set(`${p}a`, "1").get(`${p}a`).incr(`${p}n`).get(`${p}b`).del(`${p}a`, `${p}b`).get(`${p}a`)
      .execute();

    const pairs = {};
    for (let i = 0; i < 20; i++) pairs[`${p}m${i}`] = `v${i}`;
    out.mset = await rc.mset(pairs);
    out.mget = await rc.mget(...Object.keys(pairs));

    const scanned = [];
    for await (const key of rc.scanIterator({ match: `${p}m*`, count: 100 })) scanned.push(key);
    out.scanned = scanned.sort();

    out.migration = await migrate(rc, `${p}moving`);
    out.topologyShards = rc.topology().shards.length;
  } finally {
    await rc.close();
  }
  return out;
}

/** Moves `key`'s slot to another master under the client: reads while it moves and after. */
async function migrate(rc, key) {
  await rc.set(key, "here");
  const slot = Number(await rc.sendCommand(["CLUSTER", "KEYSLOT", key]));
  const masters = await rc.nodes("master");
  const ids = await Promise.all(masters.map((m) => m.sendCommand(["CLUSTER", "MYID"])));
  const owner = masters.findIndex((m) => rc.slotMap.shardOf(slot)?.master.address === m.address);
  const src = masters[owner];
  const dstIndex = (owner + 1) % masters.length;
  const dst = masters[dstIndex];
  const [host, port] = splitAddress(dst.address);
  await dst.sendCommand(["CLUSTER", "SETSLOT", String(slot), "IMPORTING", String(ids[owner])]);
  await src.sendCommand(["CLUSTER", "SETSLOT", String(slot), "MIGRATING", String(ids[dstIndex])]);
  await src.sendCommand(["MIGRATE", host, port, "", "0", "5000", "KEYS", key]);
  const whileMoving = await rc.get(key); // answered ASK by the source
  for (const m of masters) {
    await m.sendCommand(["CLUSTER", "SETSLOT", String(slot), "NODE", String(ids[dstIndex])]);
  }
  const after = await rc.get(key); // answered MOVED by the source
  const servedBy = rc.slotMap.shardOf(slot)?.master.address;
  return { whileMoving, after, movedTo: servedBy === dst.address };
}

function splitAddress(address) {
  const i = address.lastIndexOf(":");
  return [address.slice(0, i).replace(/^\[|\]$/g, ""), address.slice(i + 1)];
}
