/**
 * Every example runs to its end against a real cluster and prints what it promises
 * (`examples/workers.ts` runs in workerd, in `tests/runtimes/runtimes_test.ts`).
 */
import assert from "node:assert/strict";
import { LocalCluster } from "../testing/local_cluster.ts";

const EXPECTED: Record<string, RegExp[]> = {
  "readonly.ts": [/GET foo16706 -> bar/],
  "pubsub.ts": [/news: hello/, /alerts: disk full/, /news: bye/, /pattern news\* matched news/],
  "sharded_pubsub.ts": [/orders:\{eu\} <- order 0/, /orders:\{apac\} <- order 5/],
  "scan.ts": [/scanIterator: 1000 distinct keys/, /scanPage: 1000 distinct keys/],
  "pipeline.ts": [
    /pipeline: \["OK","1",1,2,\[null,null,"3"\]\]/,
    /pipeline error kept the other reply: 3/,
    /transaction: \["OK",105\]/,
    /watch: \["OK"\] balance 210/,
  ],
  "observability.ts": [
    /span GET .*"server.port":\d+/,
    /span PIPELINE .*"db.operation.batch.size":2/,
    /stats totals: \d+ commands/,
  ],
  "demo.ts": [/keys land on the master/],
};

Deno.test("the examples run and print what they promise", async (t) => {
  await using cluster = await LocalCluster.start();
  const { host, port } = cluster.startupNodes[0]!;
  for (const [file, patterns] of Object.entries(EXPECTED)) {
    await t.step(file, async () => {
      const path = new URL(`../examples/${file}`, import.meta.url).pathname;
      const out = await new Deno.Command("deno", {
        args: ["run", "-A", path],
        env: { REDIS_CLUSTER: `${host}:${port}` },
        stdout: "piped",
        stderr: "piped",
      }).output();
      const text = new TextDecoder().decode(out.stdout);
      assert.ok(out.success, `${file} failed:\n${new TextDecoder().decode(out.stderr)}`);
      for (const p of patterns) assert.match(text, p);
    });
  }
});
