/**
 * Scanning the whole cluster: `scanIterator()` for one process, `scanPage()` with a string
 * cursor for a caller that pages across requests. Both return every key present for the whole
 * scan, through migrations and failovers (a key may come twice). Run:
 * `deno run -A examples/scan.ts`.
 * @module
 */
import { RedisCluster } from "../mod.ts";
import { exampleCluster } from "./_cluster.ts";

await using cluster = await exampleCluster();
await using rc = new RedisCluster({ startupNodes: cluster.startupNodes, decodeResponses: true });

const pipe = rc.pipeline();
for (let i = 0; i < 1000; i++) pipe.set(`user:${i}`, String(i));
await pipe.execute();

const seen = new Set<string>();
for await (const key of rc.scanIterator({ match: "user:*", count: 200 })) seen.add(key);
console.log(`scanIterator: ${seen.size} distinct keys`);

// The cursor is a plain string: keep it in a response, a queue message, a database...
let cursor = "0";
let pages = 0;
const paged = new Set<string>();
do {
  const page = await rc.scanPage(cursor, { match: "user:*", count: 200 });
  for (const key of page.keys) paged.add(key);
  cursor = page.cursor;
  pages++;
} while (cursor !== "0");
console.log(`scanPage: ${paged.size} distinct keys in ${pages} pages`);
