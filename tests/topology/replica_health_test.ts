import { _SILENT_LOGGER } from "../../src/logger.ts";
import assert from "node:assert/strict";
import { testNode } from "../_harness/nodes.ts";
import { until } from "../_harness/wait.ts";
import { _ReplicaHealth, type _ReplicaHealthOptions } from "../../src/topology/replica_health.ts";
import type { NodeInfo } from "../../src/topology/node_info.ts";
import type { RedisArgument, RedisReply } from "../../src/types.ts";

const MASTER = testNode(7000, "master");
const REPLICA = testNode(7003, "replica");

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
    logger: _SILENT_LOGGER,
    shards: () => [{ master: MASTER, replicas: [REPLICA] }],
    ...options,
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

Deno.test("maxReplicaLagMs takes reads from a replica whose offset trails the master's for too long", async () => {
  const { state, query } = shardState();
  const f = health(query, { maxReplicaLagMs: 300 });
  try {
    await f.start();
    assert.equal(f.replicaUsable(REPLICA), true);
    state.master = 200; // the replica stops applying the stream at 100
    await sleep(300);
    await until(() => f.replicaUsable(REPLICA) === false, "the lagging replica is unusable");
    state.replica = 200;
    await until(() => f.replicaUsable(REPLICA) === true, "the caught-up replica is usable");
    assert.equal(f.replicaUsable(MASTER), true);
  } finally {
    await f.close();
  }
});

Deno.test("a replica whose link to its master is down gets no reads until the link is back", async () => {
  const { state, query } = shardState();
  const f = health(query);
  try {
    await f.start();
    assert.equal(f.replicaUsable(REPLICA), true);
    state.link = "connect";
    await until(() => f.replicaUsable(REPLICA) === false, "the unlinked replica is unusable");
    state.link = "connected";
    await until(() => f.replicaUsable(REPLICA) === true, "the relinked replica is usable");
  } finally {
    await f.close();
  }
});

Deno.test("an unpolled replica is neither usable nor unusable: the topology decides", () => {
  const f = health(shardState().query);
  assert.equal(f.replicaUsable(REPLICA), undefined);
});
