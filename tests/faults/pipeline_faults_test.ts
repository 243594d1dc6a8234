/** Pipelines against a fake node, for replies a real server gives only by accident. */
import assert from "node:assert/strict";
import { ProtocolError, RedisCluster } from "../../mod.ts";
import { bulk, commandName, fakeNode } from "../_harness/fake_cluster.ts";
import { resp2 } from "../_harness/fixtures.ts";

function oneNodeCluster(answer: (cmd: string[]) => string) {
  const node = fakeNode((cmd) => {
    if (commandName(cmd) === "CLUSTER SHARDS") {
      return resp2([["slots", [0, 16383], "nodes", [[
        "id",
        "n1",
        "port",
        node.port,
        "ip",
        "127.0.0.1",
        "endpoint",
        "127.0.0.1",
        "role",
        "master",
        "replication-offset",
        1,
        "health",
        "online",
      ]]]]);
    }
    return answer(cmd);
  });
  return node;
}

Deno.test("stream() reports a reply its transform cannot read in place, and ends", async () => {
  await using node = oneNodeCluster((cmd) =>
    cmd[0] === "ZSCORE" ? bulk("not a number") : bulk("v")
  );
  await using rc = new RedisCluster({
    startupNodes: [`127.0.0.1:${node.port}`],
    decodeResponses: true,
  });
  const pipe = rc.pipeline().zscore("z", "m").get("k").get("k2");
  const seen = new Map<number, unknown>();
  const reading = (async () => {
    for await (const { index, reply } of pipe.stream()) seen.set(index, reply);
  })();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error("stream never ended")), 5000);
  });
  try {
    await Promise.race([reading, timeout]);
  } finally {
    clearTimeout(timer);
  }
  assert.equal(seen.size, 3);
  assert.ok(seen.get(0) instanceof ProtocolError, String(seen.get(0)));
  assert.equal(seen.get(1), "v");
  assert.equal(seen.get(2), "v");
});
