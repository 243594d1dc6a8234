/**
 * Pub/sub: a subscription as a `for await` loop, a pattern subscription, and the gap item a
 * subscription yields when it was not live for a while. Run: `deno run -A examples/pubsub.ts`.
 * @module
 */
import { RedisCluster } from "../mod.ts";
import { exampleCluster } from "./_cluster.ts";

await using cluster = await exampleCluster();
await using rc = new RedisCluster({ startupNodes: cluster.startupNodes, decodeResponses: true });

await using news = await rc.subscribe("news", "alerts", { bufferSize: 1000 });
await using all = await rc.psubscribe("news*");
for (const [channel, message] of [["news", "hello"], ["alerts", "disk full"], ["news", "bye"]]) {
  await rc.publish(channel!, message!);
}

let n = 0;
for await (const item of news) {
  // A gap: the subscription was down (failover, lost node) and messages may be gone: resync.
  if (item.kind === "gap") console.log(`gap on ${item.gap.channel}: resync`);
  else console.log(`${item.channel}: ${item.message}`);
  if (++n === 3) break; // unsubscribes
}
const { value } = await all.next();
console.log(`pattern ${value?.pattern} matched ${value?.channel}: ${value?.message}`);
