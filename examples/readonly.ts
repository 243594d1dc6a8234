/**
 * The reference design's readonly-mode example, end to end: writes through a normal client,
 * reads through a readonly client (master or replica, at random), plain and in a pipeline,
 * printing which node served each read. Run: `deno run -A examples/readonly.ts`.
 * @module
 */
import { keySlot, RedisCluster } from "../mod.ts";
import { exampleCluster } from "./_cluster.ts";

await using cluster = await exampleCluster();
const { startupNodes } = cluster;

await using rc = new RedisCluster({ startupNodes, decodeResponses: true });
console.log("SET foo16706 bar ->", await rc.set("foo16706", "bar"));
console.log("SET foo81 foo    ->", await rc.set("foo81", "foo"));
// Replication is asynchronous: wait until each write reached a replica before reading there.
await rc.set("foo16706", "bar", { waitReplicas: { replicas: 1, timeoutMs: 1000 } });
await rc.set("foo81", "foo", { waitReplicas: { replicas: 1, timeoutMs: 1000 } });

await using ro = new RedisCluster({ startupNodes, decodeResponses: true, readonlyMode: true });
for (const key of ["foo16706", "foo81"]) {
  let node = "";
  const value = await ro.get(key, { onServed: (n) => node = `${n.role} ${n.address}` });
  console.log(`GET ${key} -> ${value}  (slot ${keySlot(key)}, served by ${node})`);
}

{
  await using pipe = ro.pipeline();
  const served: string[] = ["", ""];
  const replies = await pipe
    .get("foo81", { onServed: (n) => served[0] = `${n.role} ${n.address}` })
    .get("foo16706", { onServed: (n) => served[1] = `${n.role} ${n.address}` })
    .execute();
  console.log("readonly pipeline ->", replies, `(served by ${served.join(" and ")})`); // ["foo", "bar"]
}

// Unlike the reference design, a write through a readonly client is safe: it goes to the master.
console.log("SET through the readonly client ->", await ro.set("foo", "bar"));
