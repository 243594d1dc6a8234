/** What the servers themselves count, read with redis-cli: the tests' independent witness. */
import type { LocalCluster } from "../../testing/local_cluster.ts";

/** Calls of `command` per node port, from each node's own `INFO commandstats`. */
export async function commandCalls(
  cluster: LocalCluster,
  command: string,
): Promise<Map<number, number>> {
  const out = new Map<number, number>();
  for (const node of cluster.nodes) {
    const info = await cluster.cli(node.port, "info", "commandstats").catch(() => "");
    const calls = new RegExp(`cmdstat_${command.toLowerCase()}:calls=(\\d+)`).exec(info)?.[1];
    out.set(node.port, Number(calls ?? 0));
  }
  return out;
}

/** Clears every node's command statistics (`CONFIG RESETSTAT`). */
export async function resetStats(cluster: LocalCluster): Promise<void> {
  await Promise.all(cluster.nodes.map((n) => cluster.cli(n.port, "config", "resetstat")));
}

/** The sum of a per-node count. */
export function total(counts: ReadonlyMap<number, number>): number {
  return [...counts.values()].reduce((a, b) => a + b, 0);
}
