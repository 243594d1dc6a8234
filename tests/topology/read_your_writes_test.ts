import assert from "node:assert/strict";
import { testNode } from "../_harness/nodes.ts";
import { _ReplicaHealth, type _ReplicaHealthOptions } from "../../src/topology/replica_health.ts";
import { _ReadYourWrites } from "../../src/topology/read_your_writes.ts";
import type { NodeInfo, Shard } from "../../src/topology/node_info.ts";
import type { RedisArgument, RedisReply } from "../../src/types.ts";

const MASTER = testNode(7000, "master");
const REPLICA = testNode(7003, "replica");
const SHARD: Shard = { master: MASTER, replicas: [REPLICA] };

/** A shard whose ROLE answers the test scripts: offsets and the replica's link state. */
function shardState() {
  const state = { master: 100, replica: 100, link: "connected" };
  const query = (n: NodeInfo, _args: RedisArgument[]): Promise<RedisReply> =>
    Promise.resolve(
      n.role === "master"
        ? ["master", state.master, []]
        : ["slave", "127.0.0.1", 7000, state.link, state.replica],
    );
  return { state, query };
}

function health(
  query: _ReplicaHealthOptions["query"],
  options: Partial<_ReplicaHealthOptions> = {},
): _ReplicaHealth {
  return new _ReplicaHealth({
    maxReplicaLagMs: undefined,
    pollFromStart: true,
    query,
    shards: () => [{ master: MASTER, replicas: [REPLICA] }],
    ...options,
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(check: () => boolean, what: string): Promise<void> {
  const deadline = performance.now() + 3000;
  while (!check()) {
    if (performance.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await sleep(10);
  }
}

Deno.test("readYourWrites keeps a written slot on the master until the replica reports the write's offset", async () => {
  const { state, query } = shardState();
  const f = new _ReadYourWrites(true, health(query, { pollFromStart: false }), () => [SHARD]);
  try {
    state.master = 150; // the offset after our write
    f.recordWrite(42, MASTER.address);
    assert.equal(f.mustReadMaster(42), true);
    assert.equal(f.mustReadMaster(43), false);
    await sleep(50);
    assert.equal(f.mustReadMaster(42), true, "the replica is still at offset 100");
    state.replica = 150;
    await until(() => !f.mustReadMaster(42), "the slot is released to the replicas");
  } finally {
    await f.close();
  }
});
