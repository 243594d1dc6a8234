/**
 * A fake node whose replies are drawn at random: right, wrong, malformed, missing, or cut off
 * by a dropped connection. Whatever it sends, every call settles, with a value or one of the
 * client's documented errors, and the client works again once the node behaves.
 */
import assert from "node:assert/strict";
import {
  ClusterRedirectionError,
  ConnectionError,
  ProtocolError,
  RedisCluster,
  RedisError,
  TimeoutError,
} from "../../mod.ts";
import { commandName, fakeNode } from "../_harness/fake_cluster.ts";
import { seededInts } from "../_harness/resp.ts";

const ANSWERS = [
  "$1\r\nv\r\n",
  "$-1\r\n",
  "-ERR no\r\n",
  "-MOVED 1 127.0.0.1:1\r\n",
  "-TRYAGAIN later\r\n",
  "?what\r\n",
  "$5\r\nab\r\n",
  "*2\r\n$1\r\nv\r\n",
  ":12x\r\n",
  "$99999999999\r\n",
  "+OK\r\n:1\r\n",
];

Deno.test("random and malformed replies: every call settles with a value or a documented error", async () => {
  const rand = seededInts(77);
  let chaos = true;
  let port = 0;
  await using node = fakeNode((cmd, self) => {
    const name = commandName(cmd);
    if (name === "CLUSTER SHARDS") return "-ERR unknown subcommand\r\n";
    if (name === "CLUSTER SLOTS") {
      return `*1\r\n*3\r\n:0\r\n:16383\r\n*3\r\n$9\r\n127.0.0.1\r\n:${port}\r\n$2\r\nid\r\n`;
    }
    if (name === "COMMAND INFO" || name === "COMMAND DOCS") return "*0\r\n";
    if (!chaos) return "$1\r\nv\r\n";
    const pick = rand(ANSWERS.length + 2);
    if (pick === ANSWERS.length) return null; // no answer at all
    if (pick === ANSWERS.length + 1) {
      self.dropClients();
      return null;
    }
    return ANSWERS[pick]!;
  });
  port = node.port;
  await using rc = new RedisCluster({
    startupNodes: [`127.0.0.1:${port}`],
    decodeResponses: true,
    refreshIntervalMs: 0,
    commandTimeoutMs: 300,
    maxRedirections: 4,
    retryBaseMs: 1,
    retryCapMs: 10,
  });
  await rc.connect();
  const kinds = new Map<string, number>();
  for (let batch = 0; batch < 10; batch++) {
    const outcomes = await Promise.allSettled(
      Array.from({ length: 30 }, (_, i) => rc.get(`k${batch}:${i}`)),
    );
    for (const o of outcomes) {
      if (o.status === "fulfilled") {
        // A reply out of step with its command (a node that answers twice) is still a value.
        kinds.set("value", (kinds.get("value") ?? 0) + 1);
        continue;
      }
      const e = o.reason;
      const known = [
        RedisError,
        ProtocolError,
        ConnectionError,
        TimeoutError,
        ClusterRedirectionError,
      ]
        .some((c) => e instanceof c);
      assert.ok(known, `an undocumented outcome: ${String(e)}`);
      const name = (e as Error).name;
      kinds.set(name, (kinds.get(name) ?? 0) + 1);
    }
  }
  console.log(`300 GETs under random replies: ${JSON.stringify(Object.fromEntries(kinds))}`);
  chaos = false;
  // Each reply the node never sent leaves a timed-out command ahead in its connection: the next
  // replies go to those (and are dropped) until they are used up, so the first calls after the
  // chaos may still time out; then the node serves again.
  let after: unknown[] = [];
  for (let i = 0; i < 10 && !after.includes("v"); i++) {
    after = await Promise.all(Array.from({ length: 10 }, () => rc.get("after").catch((e) => e)));
  }
  assert.ok(after.includes("v"), String(after[0]));
});
