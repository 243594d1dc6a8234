import assert from "node:assert/strict";
import { _Discovery } from "../../src/topology/discovery.ts";
import { SlotMap } from "../../src/topology/slot_map.ts";
import type { NodeInfo } from "../../src/topology/node_info.ts";
import { _SILENT_LOGGER, type Logger } from "../../src/logger.ts";
import type { RedisArgument, RedisReply } from "../../src/types.ts";
import { fixtureReply } from "../_harness/fixtures.ts";
import { testNode } from "../_harness/nodes.ts";

/** A decoded RESP2 CLUSTER SHARDS reply: one master per range, no replicas. */
function shardsReply(owners: readonly [from: number, to: number, port: number][]): RedisReply {
  return owners.map(([from, to, port]) => [
    "slots",
    [from, to],
    "nodes",
    [[
      "id",
      `n${port}`,
      "port",
      port,
      "ip",
      "127.0.0.1",
      "endpoint",
      "127.0.0.1",
      "role",
      "master",
      "replication-offset",
      0,
      "health",
      "online",
    ]],
  ]);
}

/** The CLUSTER SLOTS reply of the same owners. */
function slotsReply(owners: readonly [from: number, to: number, port: number][]): RedisReply {
  return owners.map(([from, to, port]) => [from, to, ["127.0.0.1", port, `n${port}`]]);
}

const THIRDS: [number, number, number][] = [[0, 5460, 7000], [5461, 10922, 7001], [
  10923,
  16383,
  7002,
]];
const TWO_THIRDS = THIRDS.slice(1);

function mapOf(owners: readonly [number, number, number][]): SlotMap {
  return SlotMap.fromRanges(owners.map(([from, to, port]) => ({
    shard: { master: testNode(port, "master"), replicas: [] },
    ranges: [from, to],
  })));
}

/** A discovery whose nodes answer from `replies` (by port, then command), recording each ask. */
function discovery(
  replies: (port: number, command: string) => RedisReply,
  logger: Logger = _SILENT_LOGGER,
): { discovery: _Discovery; asked: string[] } {
  const asked: string[] = [];
  const send = (node: NodeInfo, args: RedisArgument[]): Promise<RedisReply> => {
    const command = args.join(" ");
    asked.push(`${node.port} ${command}`);
    return Promise.resolve(replies(node.port, command));
  };
  return {
    asked,
    discovery: new _Discovery({
      startupNodes: [{ host: "127.0.0.1", port: 7000 }],
      natMap: undefined,
      tls: false,
      send,
      logger,
    }),
  };
}

Deno.test("a CLUSTER SHARDS reply leaving slots uncovered is cross-checked with CLUSTER SLOTS of the same node", async () => {
  const warned: unknown[] = [];
  const logger = { ..._SILENT_LOGGER, warn: (...data: unknown[]) => warned.push(...data) };
  const { discovery: d, asked } = discovery(
    (_port, command) =>
      command === "CLUSTER SHARDS"
        ? fixtureReply("redis-7.4.1-cluster-shards-after-failover.resp")
        : fixtureReply("redis-7.4.1-cluster-slots-after-failover.resp"),
    logger,
  );
  const map = await d.discover(SlotMap.empty());
  assert.deepEqual(asked, ["7000 CLUSTER SHARDS", "7000 CLUSTER SLOTS"]);
  assert.equal(map.coveredSlots, 16384);
  assert.equal(map.shardOf(0)?.master.port, 31555);
  assert.equal(warned.length, 1);
  assert.match(String(warned[0]), /5461 slots are in no shard.*using CLUSTER SLOTS/);
});

Deno.test("a consistent CLUSTER SHARDS reply is believed without asking CLUSTER SLOTS", async () => {
  const { discovery: d, asked } = discovery(() => shardsReply(THIRDS));
  const map = await d.discover(mapOf(THIRDS));
  assert.equal(asked.filter((a) => a.endsWith("SLOTS")).length, 0);
  assert.equal(asked.length, 1);
  assert.equal(map.coveredSlots, 16384);
});

Deno.test("a reply that makes the cluster look smaller is believed only after a second node's opinion", async () => {
  // 7000 thinks a third of the slots have no owner (both commands); the others know better.
  const { discovery: d, asked } = discovery((port, command) => {
    const owners = port === 7000 ? TWO_THIRDS : THIRDS;
    return command === "CLUSTER SHARDS" ? shardsReply(owners) : slotsReply(owners);
  });
  for (let i = 0; i < 10; i++) {
    asked.length = 0;
    const map = await d.discover(mapOf(THIRDS));
    assert.equal(map.coveredSlots, 16384, asked.join(", "));
  }
  // When every node agrees the cluster shrank, the second opinion settles it.
  const shrunk = discovery((_port, command) =>
    command === "CLUSTER SHARDS" ? shardsReply(TWO_THIRDS) : slotsReply(TWO_THIRDS)
  );
  const map = await shrunk.discovery.discover(mapOf(THIRDS));
  assert.equal(map.coveredSlots, 16384 - 5461);
  assert.equal(shrunk.asked.filter((a) => a.endsWith("SHARDS")).length, 2);
});

Deno.test("a node whose topology reply was doubtful is asked after the others next time", async () => {
  const { discovery: d, asked } = discovery((port, command) => {
    if (port !== 7000) return command === "CLUSTER SHARDS" ? shardsReply(THIRDS) : [];
    return command === "CLUSTER SHARDS" ? shardsReply(TWO_THIRDS) : slotsReply(THIRDS);
  });
  // Candidates are shuffled: go until 7000 is asked first, and its doubtful reply is seen.
  for (let i = 0; i < 200 && !asked.includes("7000 CLUSTER SLOTS"); i++) {
    asked.length = 0;
    await d.discover(mapOf(THIRDS));
  }
  assert.ok(asked.includes("7000 CLUSTER SLOTS"), "7000 was never asked first");
  for (let i = 0; i < 30; i++) {
    asked.length = 0;
    await d.discover(mapOf(THIRDS));
    assert.notEqual(asked[0], "7000 CLUSTER SHARDS", `call ${i}: ${asked.join(", ")}`);
  }
});
