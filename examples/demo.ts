/**
 * The main job of `deno task demo`: connects to `REDIS_CLUSTER` (or starts a local cluster),
 * writes keys that land on different nodes, reads them back from replicas, runs a cross-slot
 * pipeline and MGET, and scans every master. Run: `deno run -A examples/demo.ts`.
 * @module
 */
import { keySlot, RedisCluster } from "../mod.ts";
import { exampleCluster } from "./_cluster.ts";

await using cluster = await exampleCluster();
await using rc = new RedisCluster({ startupNodes: cluster.startupNodes, decodeResponses: true });
await rc.connect();

console.log("\n== keys land on the master that owns their slot");
for (const key of ["foo", "bar", "user:1000", "{user:1000}.followers", "foo16706", "foo81"]) {
  await rc.set(key, `value of ${key}`);
  const master = rc.slotMap.shardOf(keySlot(key))?.master.address;
  console.log(`  ${key.padEnd(22)} slot ${String(keySlot(key)).padStart(5)} -> ${master}`);
}

console.log('\n== reads served by replicas (readFrom: "replica-preferred")');
await using ro = new RedisCluster({
  startupNodes: cluster.startupNodes,
  decodeResponses: true,
  readFrom: "replica-preferred",
  readYourWrites: true,
});
for (const key of ["foo", "bar", "user:1000"]) {
  let node = "";
  const v = await ro.get(key, { onServed: (n) => node = `${n.role} ${n.address}` });
  console.log(`  GET ${key.padEnd(10)} = ${v} (served by ${node})`);
}

console.log("\n== one pipeline across all nodes, replies in order");
const pipe = rc.pipeline();
for (let i = 0; i < 6; i++) pipe.incr(`counter:${i}`);
pipe.mget("foo", "bar", "missing");
console.log(" ", await pipe.execute());

console.log("\n== MSET/MGET across slots (split per slot, merged in order)");
await rc.mset({ "a:1": "1", "b:2": "2", "c:3": "3" });
console.log("  MGET ->", await rc.mget("a:1", "b:2", "c:3"));
console.log("  DBSIZE (summed over masters) ->", await rc.dbsize());

console.log("\n== cluster-wide SCAN with for await");
const found: string[] = [];
for await (const key of rc.scanIterator({ match: "counter:*" })) found.push(String(key));
console.log("  counter keys:", found.sort().join(", "));
