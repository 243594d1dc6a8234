/**
 * A Cloudflare Workers fetch handler: one client per request (sockets cannot outlive the request
 * that opened them), started from a saved topology so the request makes no discovery round trip,
 * within the per-request connection budget. Bundle it as any Worker (wrangler, esbuild); set the
 * `REDIS_NODES` variable to `host:port,...`. The runtime suite runs it in workerd.
 * @module
 */
import { RedisCluster, type TopologySnapshot } from "../mod.ts";

/** The Worker's variables. */
export interface Env {
  REDIS_NODES: string;
}

/** Kept between requests of one isolate: plain data, not sockets. */
let saved: TopologySnapshot | undefined;

export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    const startupNodes = env.REDIS_NODES.split(",");
    await using rc = new RedisCluster({
      startupNodes,
      decodeResponses: true,
      ...(saved ? { topology: saved } : {}),
    });
    const key = `visits:${new URL(request.url).pathname}`;
    const visits = await rc.incr(key);
    saved = rc.topology();
    return Response.json({ key, visits });
  },
};
