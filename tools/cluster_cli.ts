/**
 * `deno task cluster start|stop|status`: a daemonized local Redis Cluster for manual runs and
 * examples. Its state lives in $RCLUSTER_STATE_FILE, by default $TMPDIR/rcluster-dev-cluster.json.
 * @module
 */

import { LocalCluster, type LocalClusterState } from "../testing/local_cluster.ts";

interface _SavedState extends LocalClusterState {
  readonly address: string;
  readonly startedAt: string;
}

const USAGE = "usage: deno task cluster start [--masters N] [--replicas N] | stop | status";

const statePath = Deno.env.get("RCLUSTER_STATE_FILE") ??
  `${Deno.env.get("TMPDIR") ?? "/tmp"}/rcluster-dev-cluster.json`;

async function _load(): Promise<_SavedState | undefined> {
  try {
    return JSON.parse(await Deno.readTextFile(statePath)) as _SavedState;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return undefined;
    throw error;
  }
}

async function _responds(cluster: LocalCluster): Promise<boolean> {
  const [first] = cluster.nodes;
  return first !== undefined && await cluster.cli(first.port, "ping").then(() => true, () => false);
}

function _count(args: string[], flag: string, fallback: number): number {
  const at = args.indexOf(flag);
  if (at < 0) return fallback;
  const value = Number(args[at + 1]);
  if (!Number.isInteger(value) || value < 0) throw new Error(`${flag} needs a whole number`);
  return value;
}

async function _start(args: string[]): Promise<number> {
  const saved = await _load();
  if (saved) {
    if (await _responds(LocalCluster.attach(saved))) {
      console.error(`already running (state in ${statePath})`);
      console.log(`REDIS_CLUSTER=${saved.address}`);
      return 0;
    }
    console.error("removing a stale cluster");
    await _stop();
  }
  const started = performance.now();
  const cluster = await LocalCluster.start({
    masters: _count(args, "--masters", 3),
    replicasPerMaster: _count(args, "--replicas", 1),
    daemonize: true,
  });
  const address = cluster.nodes[0]?.address ?? "";
  const state: _SavedState = { ...cluster.state, address, startedAt: new Date().toISOString() };
  await Deno.writeTextFile(statePath, JSON.stringify(state, null, 2) + "\n");
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  console.error(`cluster of ${cluster.nodes.length} nodes ready in ${seconds}s (dir ${state.dir})`);
  console.log(`REDIS_CLUSTER=${address}`);
  return 0;
}

async function _stop(): Promise<number> {
  const saved = await _load();
  if (!saved) {
    console.error("no cluster is running");
    return 0;
  }
  await LocalCluster.attach(saved).stop();
  await Deno.remove(statePath);
  console.error(`stopped the cluster on ports ${saved.ports.join(", ")}`);
  return 0;
}

async function _status(): Promise<number> {
  const saved = await _load();
  if (!saved) {
    console.log("no cluster is running");
    return 1;
  }
  const cluster = LocalCluster.attach(saved);
  console.log(JSON.stringify(saved, null, 2));
  if (!(await _responds(cluster))) {
    console.log("not responding; run `deno task cluster stop` to clean up");
    return 1;
  }
  const [first] = cluster.nodes;
  console.log(await cluster.cli(first?.port ?? 0, "cluster", "nodes"));
  return 0;
}

async function _main(args: string[]): Promise<number> {
  switch (args[0]) {
    case "start":
      return await _start(args.slice(1));
    case "stop":
      return await _stop();
    case "status":
      return await _status();
    default:
      console.error(USAGE);
      return 2;
  }
}

if (import.meta.main) Deno.exit(await _main(Deno.args));
