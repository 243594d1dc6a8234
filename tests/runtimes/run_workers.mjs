/**
 * Drives the Workers checks under Node: bundles `worker.mjs` with esbuild (the module resolved
 * from `mod.ts`, as a Workers project's bundler sees the TypeScript), runs it in workerd through
 * Miniflare and prints one JSON line with every route's answer.
 * `node run_workers.mjs <runtimes dir> <mod.ts> <env JSON>`
 * @module
 */
import { createRequire } from "node:module";
import { join } from "node:path";

const [runtimes, modPath, envJson] = process.argv.slice(2);
const require = createRequire(join(runtimes, "miniflare", "package.json"));
const esbuild = createRequire(join(runtimes, "esbuild", "package.json"))("esbuild");
const { Miniflare } = require("miniflare");

const built = await esbuild.build({
  entryPoints: [new URL("./worker.mjs", import.meta.url).pathname],
  bundle: true,
  format: "esm",
  platform: "neutral",
  // What wrangler targets: `await using` in the worker is lowered.
  target: "es2022",
  conditions: ["workerd", "worker", "browser"],
  alias: { rcluster: modPath },
  write: false,
  logLevel: "error",
});
const mf = new Miniflare({
  // Listed, not located: Miniflare's locator refuses the import whose specifier is computed.
  modules: [{ type: "ESModule", path: "worker.mjs", contents: built.outputFiles[0].text }],
  compatibilityDate: "2025-09-01",
});
const env = encodeURIComponent(envJson);
const get = async (path, init) => {
  const res = await mf.dispatchFetch(`http://w${path}?env=${env}`, init);
  return await res.json();
};
try {
  const out = {};
  out.scenario = await get("/scenario");
  out.keptFirst = await get("/kept/first");
  out.keptSecond = await get("/kept/second");
  out.budget = await get("/budget");
  out.example = await runExample();
  const saved = await get("/snapshot/save");
  out.savedShards = saved.shards?.length;
  process.stdout.write(JSON.stringify({ ready: true }) + "\n");
  // The test counts the servers' topology queries between this line and the next.
  await new Promise((resolve) => process.stdin.once("data", resolve));
  out.snapshot = await get("/snapshot/use", { method: "POST", body: JSON.stringify(saved) });
  process.stdout.write(JSON.stringify({ runtime: "workerd", result: out }) + "\n");
} finally {
  await mf.dispose();
}

/** examples/workers.ts, bundled and run as its own Worker: two requests to one path. */
async function runExample() {
  const example = await esbuild.build({
    entryPoints: [new URL("../../examples/workers.ts", import.meta.url).pathname],
    bundle: true,
    format: "esm",
    platform: "neutral",
    conditions: ["workerd", "worker", "browser"],
    target: "es2022",
    write: false,
    logLevel: "error",
  });
  const worker = new Miniflare({
    modules: [{ type: "ESModule", path: "worker.mjs", contents: example.outputFiles[0].text }],
    compatibilityDate: "2025-09-01",
    bindings: { REDIS_NODES: JSON.parse(envJson).startupNodes.join(",") },
  });
  try {
    const path = `/${JSON.parse(envJson).prefix}`;
    const first = await (await worker.dispatchFetch(`http://w${path}`)).json();
    const second = await (await worker.dispatchFetch(`http://w${path}`)).json();
    return [first.visits, second.visits];
  } finally {
    await worker.dispose();
  }
}
