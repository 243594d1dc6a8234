import assert from "node:assert/strict";
import { testNode } from "../_harness/nodes.ts";
import { SlotMap } from "../../src/topology/slot_map.ts";
import type { NodeInfo, Shard } from "../../src/topology/node_info.ts";

function node(port: number, role: NodeInfo["role"] = "master"): NodeInfo {
  return testNode(port, role);
}

const A: Shard = { master: node(7000), replicas: [node(7003, "replica")] };
const B: Shard = { master: node(7001), replicas: [] };

Deno.test("SlotMap.empty() covers no slot", () => {
  const map = SlotMap.empty();
  assert.equal(map.coveredSlots, 0);
  assert.equal(map.shardOf(0), undefined);
  assert.deepEqual(map.servingShards(), []);
  assert.deepEqual(map.nodes(), []);
});

Deno.test("SlotMap.shardOf() is undefined outside the slot range", () => {
  const map = SlotMap.fromRanges([{ shard: A, ranges: [0, 16383] }]);
  assert.equal(map.shardOf(-1), undefined);
  assert.equal(map.shardOf(16384), undefined);
});

Deno.test("SlotMap.coveredSlots counts only owned slots", () => {
  const map = SlotMap.fromRanges([
    { shard: A, ranges: [0, 999] },
    { shard: B, ranges: [2000, 2999, 16383, 16383] },
  ]);
  assert.equal(map.coveredSlots, 2001);
});

Deno.test("SlotMap.withSlotMoved() returns a new map and leaves the old one unchanged", () => {
  const before = SlotMap.fromRanges([
    { shard: A, ranges: [0, 8191] },
    { shard: B, ranges: [8192, 16383] },
  ]);
  const after = before.withSlotMoved(42, B.master);
  assert.notEqual(after, before);
  assert.equal(before.shardOf(42), A);
  assert.equal(after.shardOf(42), B);
  assert.equal(after.shardOf(41), A);
  assert.equal(after.shardOf(43), A);
  assert.equal(after.shards.length, 2);
  assert.equal(after.coveredSlots, 16384);
});

Deno.test("SlotMap.withSlotMoved() adds a shard for a master it did not know", () => {
  const before = SlotMap.fromRanges([{ shard: A, ranges: [0, 16383] }]);
  const promoted = node(7003);
  const after = before.withSlotMoved(100, promoted);
  assert.equal(before.shards.length, 1);
  assert.equal(after.shards.length, 2);
  assert.deepEqual(after.shardOf(100), { master: promoted, replicas: [] });
  assert.equal(after.shardOf(101), A);
  assert.equal(before.shardOf(100), A);
});

Deno.test("SlotMap.withSlotMoved() can fill a slot nobody owned", () => {
  const before = SlotMap.fromRanges([{ shard: A, ranges: [0, 99] }]);
  const after = before.withSlotMoved(500, A.master);
  assert.equal(before.coveredSlots, 100);
  assert.equal(after.coveredSlots, 101);
  assert.equal(after.shardOf(500), A);
});

Deno.test("SlotMap.servingShards() drops a shard once all its slots moved away", () => {
  let map = SlotMap.fromRanges([
    { shard: A, ranges: [0, 1] },
    { shard: B, ranges: [2, 16383] },
  ]);
  assert.deepEqual(map.servingShards(), [A, B]);
  map = map.withSlotMoved(0, B.master).withSlotMoved(1, B.master);
  assert.deepEqual(map.servingShards(), [B]);
  // Still known, so its connections are not dropped until a refresh.
  assert.equal(map.shards.length, 2);
});
