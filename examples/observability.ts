/**
 * Seeing what the client does: events for redirects and topology changes, `stats()` per node,
 * and OpenTelemetry-shaped spans (here a tiny tracer that prints; pass
 * `trace.getTracer("rcluster")` from `@opentelemetry/api` in an application).
 * Run: `deno run -A examples/observability.ts`.
 * @module
 */
import { RedisCluster, type TelemetrySpan, type TelemetryTracer } from "../mod.ts";
import { exampleCluster } from "./_cluster.ts";

await using cluster = await exampleCluster();

const printing: TelemetryTracer = {
  startSpan(name, options) {
    const attributes = { ...options?.attributes };
    const span: TelemetrySpan = {
      setAttribute: (k, v) => (attributes[k] = v, span),
      addEvent: (event) => (console.log(`  span ${name}: ${event}`), span),
      setStatus: () => span,
      recordException: () => {},
      end: () => console.log(`span ${name} ${JSON.stringify(attributes)}`),
    };
    return span;
  },
};

await using rc = new RedisCluster({
  startupNodes: cluster.startupNodes,
  decodeResponses: true,
  tracer: printing,
});
rc.addEventListener("topologychange", (e) => {
  console.log(`topologychange: ${e.detail.changes.length} runs of slots changed owner`);
});
rc.addEventListener("redirect", (e) => {
  console.log(
    `redirect: ${e.detail.kind} slot ${e.detail.slot} ${e.detail.from} -> ${e.detail.to}`,
  );
});

await rc.set("obs:k", "v");
await rc.get("obs:k");
await rc.pipeline().get("obs:a").get("obs:b").execute();

const { nodes, totals } = rc.stats();
for (const n of nodes.filter((n) => n.commands > 0)) {
  console.log(
    `stats ${n.role} ${n.address}: ${n.commands} commands, ${n.lastRoundTripMs?.toFixed(2)} ms`,
  );
}
console.log(`stats totals: ${totals.commands} commands, ${totals.redirects} redirects`);
