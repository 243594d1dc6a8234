import { _SILENT_LOGGER } from "../../src/logger.ts";
import assert from "node:assert/strict";
import { testNode } from "../_harness/nodes.ts";
import { until } from "../_harness/wait.ts";
import { _ReplicaHealth } from "../../src/topology/replica_health.ts";
import { _ReadYourWrites } from "../../src/topology/read_your_writes.ts";
import type { NodeInfo, Shard } from "../../src/topology/node_info.ts";
import type { RedisArgument, RedisReply } from "../../src/types.ts";

const MASTER = testNode(7000, "master");
const REPLICA = testNode(7003, "replica");
const OTHER = testNode(7004, "replica");

/**
 * A shard whose ROLE answers come from `state`: offsets per node, a replica that does not
 * answer at all (`down`), and how many ROLE queries each node got.
 */
function shardState(replicas: readonly NodeInfo[]) {
  const state = {
    offsets: new Map<string, number>([
      [MASTER.address, 100],
      ...replicas.map((r) => [r.address, 100] as [string, number]),
    ]),
    down: new Set<string>(),
    queries: new Map<string, number>(),
  };
  const query = (n: NodeInfo, _args: RedisArgument[]): Promise<RedisReply> => {
    state.queries.set(n.address, (state.queries.get(n.address) ?? 0) + 1);
    if (state.down.has(n.address)) return Promise.reject(new Error("unreachable"));
    const offset = state.offsets.get(n.address)!;
    return Promise.resolve(
      n.role === "master"
        ? ["master", offset, []]
        : ["slave", "127.0.0.1", 7000, "connected", offset],
    );
  };
  const shard: Shard = { master: MASTER, replicas };
  const health = new _ReplicaHealth({
    maxReplicaLagMs: undefined,
    pollFromStart: false,
    query,
    logger: _SILENT_LOGGER,
    shards: () => [shard],
  });
  return { state, shard, health };
}

Deno.test("readYourWrites keeps a written slot on the master until the replica reports the write's offset", async () => {
  const { state, shard, health } = shardState([REPLICA]);
  const ryw = new _ReadYourWrites(true, health, () => [shard]);
  try {
    state.offsets.set(MASTER.address, 150); // the offset after our write
    ryw.recordWrite(42, MASTER.address);
    assert.equal(ryw.mustReadMaster(42), true);
    assert.equal(ryw.mustReadMaster(43), false);
    await until(() => (state.queries.get(REPLICA.address) ?? 0) >= 3, "three polls");
    assert.equal(ryw.mustReadMaster(42), true, "the replica is still at offset 100");
    state.offsets.set(REPLICA.address, 150);
    await until(() => !ryw.mustReadMaster(42), "the slot is released to the replicas");
  } finally {
    await ryw.close();
  }
});

Deno.test("an unreachable replica does not hold a written slot on the master, and serves no read until it catches up", async () => {
  const { state, shard, health } = shardState([REPLICA, OTHER]);
  const ryw = new _ReadYourWrites(true, health, () => [shard]);
  try {
    state.down.add(OTHER.address);
    state.offsets.set(MASTER.address, 150);
    state.offsets.set(REPLICA.address, 150);
    ryw.recordWrite(7, MASTER.address);
    await until(() => !ryw.mustReadMaster(7), "the slot is released");
    assert.equal(ryw.replicaCaughtUp(REPLICA), true);
    assert.equal(ryw.replicaCaughtUp(OTHER), false, "the unreachable replica may miss the write");
    // It comes back, still behind; then it catches up.
    state.down.delete(OTHER.address);
    await health.replicaOffset(OTHER);
    assert.equal(ryw.replicaCaughtUp(OTHER), false);
    state.offsets.set(OTHER.address, 150);
    await health.replicaOffset(OTHER);
    assert.equal(ryw.replicaCaughtUp(OTHER), true);
  } finally {
    await ryw.close();
  }
});

Deno.test("a slot waiting for a lagging replica is polled ever more slowly, not every 2 ms", async () => {
  const { state, shard, health } = shardState([REPLICA]);
  const ryw = new _ReadYourWrites(true, health, () => [shard]);
  try {
    state.offsets.set(MASTER.address, 150); // the replica stays at 100
    const started = performance.now();
    ryw.recordWrite(1, MASTER.address);
    await until(() => (state.queries.get(REPLICA.address) ?? 0) >= 8, "eight polls");
    // Delays 2, 4, 8, ... 64 ms: eight polls take at least 2+4+8+16+32+64+64 = 190 ms.
    const elapsed = performance.now() - started;
    assert.ok(elapsed >= 180, `eight polls in ${elapsed.toFixed(0)} ms`);
    assert.equal(ryw.mustReadMaster(1), true);
  } finally {
    await ryw.close();
  }
});
