/**
 * Pipelines across slots: one promise, replies in order, as if the commands ran one by one;
 * and a transaction on one slot, with optimistic locking. Run: `deno run -A examples/pipeline.ts`.
 * @module
 */
import { PipelineError, RedisCluster } from "../mod.ts";
import { exampleCluster } from "./_cluster.ts";

await using cluster = await exampleCluster();
await using rc = new RedisCluster({ startupNodes: cluster.startupNodes, decodeResponses: true });

// Keys on every master, in one round trip per node; MSET and DEL split per slot, in order.
const replies = await rc.pipeline()
  .mset({ "p:a": "1", "p:b": "2", "p:c": "3" })
  .get("p:a")
  .incr("p:counter")
  .del("p:a", "p:b")
  .mget("p:a", "p:b", "p:c")
  .execute();
console.log("pipeline:", JSON.stringify(replies));

// One failed command does not hide the others.
await rc.set("p:text", "not a number");
try {
  await rc.pipeline().incr("p:text").get("p:c").execute();
} catch (e) {
  if (e instanceof PipelineError) console.log("pipeline error kept the other reply:", e.replies[1]);
}

// A transaction: every key in one slot ({hash tag}).
const tx = await rc.multi().set("{acct:1}:balance", "100").incrby("{acct:1}:balance", 5).exec();
console.log("transaction:", JSON.stringify(tx));

// Optimistic locking: retried when the watched key changes meanwhile.
const done = await rc.watch(["{acct:1}:balance"], async (w) => {
  const balance = Number(await w.get("{acct:1}:balance"));
  return w.multi().set("{acct:1}:balance", String(balance * 2));
}, { maxAttempts: 3 });
console.log("watch:", JSON.stringify(done), "balance", await rc.get("{acct:1}:balance"));
