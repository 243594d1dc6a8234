/**
 * Per-node clients, for commands that concern one node (`INFO`, `CONFIG`, `CLIENT LIST`...).
 * @module
 */
import { RedisError } from "../errors.ts";
import type { _Dispatcher } from "../execution/dispatcher.ts";
import type { CallOptions } from "../execution/call_options.ts";
import { _rawCommand } from "../commands/builder.ts";
import type { RedisArgument, RedisReply } from "../types.ts";

/**
 * A client bound to one node, for commands that concern that node only.
 *
 * @example
 * ```ts ignore
 * for (const node of await rc.nodes("master")) {
 *   console.log(node.address, await node.sendCommand(["INFO", "memory"]));
 * }
 * ```
 */
export interface NodeClient {
  /** The node's `host:port`. */
  readonly address: string;
  /** Its role when the list was made. */
  readonly role: "master" | "replica";
  /** Sends any command to this node (no redirections are followed). */
  sendCommand(args: readonly RedisArgument[], options?: CallOptions): Promise<RedisReply>;
}

/** Clients for the current masters, usable replicas, or both. */
export function _nodeClients(
  dispatcher: _Dispatcher,
  role: "master" | "replica" | "all",
): NodeClient[] {
  return dispatcher.nodesOf(role).map((n) => ({
    address: n.address,
    role: n.role,
    sendCommand: async (args, options) => {
      _rawCommand("NodeClient.sendCommand", args, options);
      const reply = await dispatcher.sendTo(n, args, options);
      if (reply instanceof RedisError) throw reply;
      return reply;
    },
  }));
}
