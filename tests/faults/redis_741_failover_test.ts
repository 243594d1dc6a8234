/**
 * Redis 7.2-7.4 and Valkey 7.2 answer CLUSTER SHARDS, right after a failover, with no slots for
 * the failed-over shard (redis/redis#13414). Six fake nodes replay the replies captured from
 * Redis 7.4.1 at that moment (tests/fixtures/), at the addresses they announce (through natMap).
 */
import assert from "node:assert/strict";
import { keySlot, RedisCluster } from "../../mod.ts";
import { bulk, commandName, type FakeNode, fakeNode } from "../_harness/fake_cluster.ts";
import { fixtureText, resp2 } from "../_harness/fixtures.ts";

/** The captured cluster: announced port -> node id, and the shards before the failover. */
const IDS: Record<number, string> = {
  31551: "6828577bbaab661dd506f544286e0cf1a4a3d358",
  31552: "aef498be8ad42ec154612e4078a02780d6a0a319",
  31553: "00729f7a3705bb18da094e478ae6c00cc4d8657f",
  31554: "46123b58c55b33cc933d92d25b0808cf9bc637ba",
  31555: "41cee88856a6821b7ce023276cb42f7b008b7e2f",
  31556: "6706369567df015c48b9230958efbf5749798df5",
};
/** [first slot, last slot, master, replica] before 31551 failed; 31555 then owns 0-5460. */
const BEFORE: [number, number, number, number][] = [
  [0, 5460, 31551, 31555],
  [5461, 10922, 31552, 31556],
  [10923, 16383, 31553, 31554],
];

function shardNode(port: number, role: string): unknown[] {
  return [
    "id",
    IDS[port]!,
    "port",
    port,
    "ip",
    "127.0.0.1",
    "endpoint",
    "127.0.0.1",
    "role",
    role,
    "replication-offset",
    0,
    "health",
    "online",
  ];
}

const HEALTHY_SHARDS = resp2(
  BEFORE.map(([from, to, m, r]) => [
    "slots",
    [from, to],
    "nodes",
    [shardNode(m, "master"), shardNode(r, "replica")],
  ]),
);
const HEALTHY_SLOTS = resp2(
  BEFORE.map(([from, to, m, r]) => [from, to, ["127.0.0.1", m, IDS[m]!], [
    "127.0.0.1",
    r,
    IDS[r]!,
  ]]),
);

/** Announced port of the master of `slot`, before or after the failover. */
function ownerOf(slot: number, failedOver: boolean): number {
  const [, , master] = BEFORE.find(([from, to]) => from <= slot && slot <= to)!;
  return master === 31551 && failedOver ? 31555 : master;
}

/** The six nodes; GET and SET answer on the slot's owner and redirect elsewhere. */
function capturedCluster(): {
  nodes: Map<number, FakeNode>;
  failover(): Promise<void>;
  natMap: (a: { host: string; port: number }) => { host: string; port: number };
} {
  let failedOver = false;
  const nodes = new Map<number, FakeNode>();
  for (const announced of Object.keys(IDS).map(Number)) {
    nodes.set(
      announced,
      fakeNode((cmd) => {
        switch (commandName(cmd)) {
          case "CLUSTER SHARDS":
            return failedOver
              ? fixtureText("redis-7.4.1-cluster-shards-after-failover.resp")
              : HEALTHY_SHARDS;
          case "CLUSTER SLOTS":
            return failedOver
              ? fixtureText("redis-7.4.1-cluster-slots-after-failover.resp")
              : HEALTHY_SLOTS;
          case "GET":
          case "SET": {
            const slot = keySlot(cmd[1]!);
            const owner = ownerOf(slot, failedOver);
            if (owner !== announced) return `-MOVED ${slot} 127.0.0.1:${owner}\r\n`;
            return cmd[0] === "SET" ? "+OK\r\n" : bulk(`served by ${announced}`);
          }
          default:
            return `-ERR unknown command '${cmd[0]}'\r\n`;
        }
      }),
    );
  }
  const byAnnounced = new Map([...nodes].map(([announced, node]) => [announced, node.port]));
  return {
    nodes,
    failover: async () => {
      failedOver = true;
      await nodes.get(31551)!.kill();
    },
    natMap: ({ port }) => ({ host: "127.0.0.1", port: byAnnounced.get(port) ?? port }),
  };
}

/** A key of a slot in [from, to]. */
function keyIn(from: number, to: number): string {
  for (let i = 0;; i++) {
    const slot = keySlot(`k${i}`);
    if (from <= slot && slot <= to) return `k${i}`;
  }
}

async function disposeAll(nodes: Map<number, FakeNode>): Promise<void> {
  await Promise.all([...nodes.values()].map((n) => n.kill()));
}

Deno.test("Redis 7.4.1 after a failover: a client with a healthy map follows the promoted replica", async () => {
  const cluster = capturedCluster();
  try {
    await using rc = new RedisCluster({
      startupNodes: [`127.0.0.1:${cluster.nodes.get(31552)!.port}`],
      natMap: cluster.natMap,
      decodeResponses: true,
      retryBaseMs: 1,
      refreshIntervalMs: 0,
      refreshCooldownMs: 0,
    });
    const key = keyIn(0, 5460);
    assert.equal(await rc.get(key), "served by 31551");
    await cluster.failover();
    assert.equal(await rc.get(key), "served by 31555");
    assert.equal(await rc.set(key, "v"), "OK");
    const promoted = cluster.nodes.get(31555)!;
    assert.deepEqual(promoted.received.filter((c) => c[1] === key).map((c) => c[0]), [
      "GET",
      "SET",
    ]);
    for (const slot of [0, 2000, 5460]) {
      assert.equal(rc.slotMap.shardOf(slot)?.master.port, promoted.port, `slot ${slot}`);
    }
  } finally {
    await disposeAll(cluster.nodes);
  }
});

Deno.test("Redis 7.4.1 after a failover: a client starting then finds the right owner for every slot", async () => {
  const cluster = capturedCluster();
  try {
    await cluster.failover();
    await using rc = new RedisCluster({
      startupNodes: [`127.0.0.1:${cluster.nodes.get(31552)!.port}`],
      natMap: cluster.natMap,
      decodeResponses: true,
      refreshIntervalMs: 0,
    });
    await rc.connect();
    const port = (announced: number) => cluster.nodes.get(announced)!.port;
    for (let slot = 0; slot < 16384; slot++) {
      assert.equal(rc.slotMap.shardOf(slot)?.master.port, port(ownerOf(slot, true)), `${slot}`);
    }
    // The failed old master is listed, as a failed replica: no read goes to it.
    assert.deepEqual(
      rc.slotMap.shardOf(0)?.replicas.map((n) => [n.port, n.health]),
      [[port(31551), "failed"]],
    );
    assert.equal(await rc.sendCommand(["GET", keyIn(0, 5460)]), "served by 31555");
  } finally {
    await disposeAll(cluster.nodes);
  }
});
