/**
 * The Workers side of the runtime suite: a worker bundled the way a Workers project bundles its
 * dependencies (esbuild, no `nodejs_compat`), answering one route per check.
 * @module
 */
import * as rcluster from "rcluster";
import { runScenario } from "./scenario.mjs";

const { CapacityError, RedisCluster } = rcluster;

/** A client kept across requests: what the docs say not to do. */
let kept;

export default {
  async fetch(request) {
    const url = new URL(request.url);
    const env = JSON.parse(url.searchParams.get("env") ?? "{}");
    try {
      switch (url.pathname) {
        case "/scenario":
          return json(await runScenario(rcluster, env));
        case "/kept/first":
          kept = new RedisCluster({ startupNodes: env.startupNodes, decodeResponses: true });
          await kept.set(`${env.prefix}kept`, "1");
          return json({ value: await kept.get(`${env.prefix}kept`) });
        case "/kept/second": {
          const started = Date.now();
          const error = await kept.get(`${env.prefix}kept`).then(() => undefined, (e) => e);
          await kept.close().catch(() => {});
          return json({ error: describe(error), ms: Date.now() - started });
        }
        case "/budget":
          return json(await budget(env));
        case "/snapshot/save": {
          await using rc = new RedisCluster({ startupNodes: env.startupNodes });
          await rc.connect();
          return json(rc.topology());
        }
        case "/snapshot/use": {
          const topology = await request.json();
          await using rc = new RedisCluster({
            startupNodes: env.startupNodes,
            decodeResponses: true,
            topology,
          });
          await rc.set(`${env.prefix}snap`, "s");
          return json({ value: await rc.get(`${env.prefix}snap`) });
        }
      }
      return new Response("no such route", { status: 404 });
    } catch (e) {
      return json({ thrown: describe(e) }, 500);
    }
  },
};

/**
 * maxConnections 1: masters touched one after another share the one place (an idle connection
 * is closed for the next); 2 with three masters at once: the third call is refused.
 */
async function budget(env) {
  let keys;
  let topology;
  const sequential = [];
  {
    await using rc = new RedisCluster({
      startupNodes: env.startupNodes,
      decodeResponses: true,
      maxConnections: 1,
    });
    await rc.connect();
    keys = onePerMaster(rc);
    for (const k of keys) {
      await rc.set(k, k);
      sequential.push(await rc.get(k));
    }
    topology = rc.topology();
  }
  await using rc = new RedisCluster({
    startupNodes: env.startupNodes,
    decodeResponses: true,
    maxConnections: 2,
    topology,
  });
  const settled = await Promise.allSettled(keys.map((k) => rc.get(k)));
  return {
    keys,
    sequential,
    parallel: settled.map((s) =>
      s.status === "fulfilled"
        ? s.value
        : s.reason instanceof CapacityError
        ? `CapacityError ${s.reason.option} ${s.reason.limit}`
        : describe(s.reason)
    ),
  };
}

/** A key for each master, found by the module's own slot function. */
function onePerMaster(rc) {
  const byMaster = new Map();
  for (let i = 0; byMaster.size < rc.slotMap.servingShards().length; i++) {
    const key = `{k${i}}budget`;
    const master = rc.slotMap.shardOf(rcluster.keySlot(key))?.master.address;
    if (master !== undefined && !byMaster.has(master)) byMaster.set(master, key);
  }
  return [...byMaster.values()];
}

function describe(e) {
  return e === undefined ? undefined : `${e.name}: ${e.message}`;
}

function json(value, status = 200) {
  return new Response(JSON.stringify(value), {
    status,
    headers: { "content-type": "application/json" },
  });
}
