/**
 * The transport of the runtime at hand, by feature detection: Deno, then Cloudflare Workers,
 * then Node and Bun.
 * @module
 */
import type { Transport } from "./transport.ts";
import { _deno, denoTransport } from "./deno_transport.ts";
import { _onWorkers, workersTransport } from "./workers_transport.ts";
import { _nodeBuiltins, nodeTransport } from "./node_transport.ts";

let detected: Transport | undefined;

/** The transport for this runtime; a `TypeError` when there is none (pass one as `transport`). */
export function _defaultTransport(): Transport {
  if (detected !== undefined) return detected;
  // Per client on Workers: a client used by a request other than its own is refused for good.
  if (_onWorkers()) return workersTransport();
  if (_deno() !== undefined) detected = denoTransport();
  else if (_nodeBuiltins() !== undefined) detected = nodeTransport();
  else {
    throw new TypeError(
      "RedisCluster: no TCP transport found for this runtime (Deno, Node 22+, Bun and " +
        "Cloudflare Workers are detected): pass options.transport",
    );
  }
  return detected;
}
