/**
 * Gives the examples a cluster: `REDIS_CLUSTER=host:port` when set, otherwise a throwaway local
 * 6-node cluster of real redis-server processes that is removed when the example ends.
 * @module
 */
import { startLocalCluster } from "../testing.ts";

/** Startup nodes and a cleanup function. */
export interface ExampleCluster extends AsyncDisposable {
  readonly startupNodes: { host: string; port: number }[];
}

/** Uses `REDIS_CLUSTER` or starts a local cluster. */
export async function exampleCluster(): Promise<ExampleCluster> {
  const given = Deno.env.get("REDIS_CLUSTER");
  if (given) {
    const cut = given.lastIndexOf(":");
    const startupNodes = [{ host: given.slice(0, cut), port: Number(given.slice(cut + 1)) }];
    return { startupNodes, [Symbol.asyncDispose]: () => Promise.resolve() };
  }
  console.log("REDIS_CLUSTER not set: starting a local 6-node cluster...");
  const cluster = await startLocalCluster();
  console.log(`cluster up: ${cluster.startupNodes.map((n) => n.port).join(", ")}`);
  return {
    startupNodes: cluster.startupNodes,
    [Symbol.asyncDispose]: () => cluster.stop(),
  };
}
