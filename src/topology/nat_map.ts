/**
 * Address translation: where an announced node address is reachable from here (`natMap`, for
 * clusters behind NAT or in containers), and the nodes named by redirections.
 * @module
 */
import { _formatAddress, _parseAddress } from "../_address.ts";
import type { NodeInfo } from "./node_info.ts";

/**
 * Where a node really is, for clusters behind NAT or in containers: a record from the announced
 * `host:port` to the reachable one, or a function.
 *
 * @example
 * ```ts
 * import type { NatMap } from "@x/rcluster";
 * const nat: NatMap = { "10.0.0.5:6379": { host: "127.0.0.1", port: 7000 } };
 * ```
 */
export type NatMap =
  | Readonly<Record<string, { host: string; port: number }>>
  | ((address: { host: string; port: number }) => { host: string; port: number } | undefined);

/** Where an announced `host:port` is reachable. */
export function _applyNatMap(
  nat: NatMap | undefined,
  host: string,
  port: number,
): { host: string; port: number } {
  if (nat === undefined) return { host, port };
  const mapped = typeof nat === "function" ? nat({ host, port }) : nat[_formatAddress(host, port)];
  return mapped ?? { host, port };
}

/**
 * The node at an address taken from a redirection or the startup list, through `natMap`.
 * Redis sends `:port` when it does not know its own address; `fallbackHost` stands in for it.
 */
export function _nodeAt(
  address: string,
  natMap: NatMap | undefined,
  fallbackHost: string,
): NodeInfo {
  const parsed = _parseAddress(address);
  const mapped = _applyNatMap(natMap, parsed.host === "" ? fallbackHost : parsed.host, parsed.port);
  return {
    id: "",
    address: _formatAddress(mapped.host, mapped.port),
    host: mapped.host,
    port: mapped.port,
    role: "master",
    health: "online",
    replicationOffset: 0,
  };
}
