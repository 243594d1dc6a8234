/**
 * `waitReplicas` on a write: `WAIT` on the connection the write used, which covers every
 * earlier write on it, this one included.
 * @module
 */
import type { Connection } from "../transport/connection.ts";
import type { NodeInfo } from "../topology/node_info.ts";
import { TimeoutError } from "../errors.ts";

/** Resolves once `replicas` replicas acknowledged the writes so far on `conn`. */
export async function _waitReplicas(
  conn: Connection,
  node: NodeInfo,
  command: string,
  wait: { replicas: number; timeoutMs: number },
): Promise<void> {
  const { replicas, timeoutMs } = wait;
  const acked = await conn.send(["WAIT", replicas, timeoutMs]);
  if (typeof acked !== "number" || acked < replicas) {
    throw new TimeoutError(
      `${command} reached ${String(acked)} of ${replicas} replicas within ${timeoutMs} ms ` +
        `on ${node.address} (the write itself succeeded)`,
      { address: node.address },
    );
  }
}
