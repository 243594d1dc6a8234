/**
 * Sharded pub/sub (Redis 7): each channel lives on its slot's master, so publishing does not
 * broadcast over the cluster bus; the subscription follows the slot through failovers and
 * migrations. Run: `deno run -A examples/sharded_pubsub.ts`.
 * @module
 */
import { keySlot, RedisCluster } from "../mod.ts";
import { exampleCluster } from "./_cluster.ts";

await using cluster = await exampleCluster();
await using rc = new RedisCluster({ startupNodes: cluster.startupNodes, decodeResponses: true });

const channels = ["orders:{eu}", "orders:{us}", "orders:{apac}"];
await using orders = await rc.ssubscribe(...channels);
for (const c of channels) {
  const master = rc.slotMap.shardOf(keySlot(c))?.master.address;
  console.log(`${c}: slot ${keySlot(c)} on ${master}`);
}
for (let i = 0; i < 6; i++) await rc.spublish(channels[i % 3]!, `order ${i}`);

let n = 0;
for await (const item of orders) {
  if (item.kind === "gap") continue;
  console.log(`${item.channel} <- ${item.message}`);
  if (++n === 6) break;
}
