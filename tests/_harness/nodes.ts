/** Node descriptions for unit tests of the pure layers. */
import type { NodeInfo } from "../../src/topology/node_info.ts";

/** An online node on 127.0.0.1 at `port`, with id `n<port>`. */
export function testNode(port: number, role: NodeInfo["role"]): NodeInfo {
  return {
    id: `n${port}`,
    address: `127.0.0.1:${port}`,
    host: "127.0.0.1",
    port,
    role,
    health: "online",
    replicationOffset: 0,
  };
}
