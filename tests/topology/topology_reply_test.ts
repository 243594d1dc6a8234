import assert from "node:assert/strict";
import {
  _parseClusterShards,
  _parseClusterSlots,
  _withShardsDetail,
} from "../../src/topology/topology_reply.ts";
import type { NatMap } from "../../src/topology/nat_map.ts";
import { SlotMap } from "../../src/topology/slot_map.ts";
import type { NodeInfo } from "../../src/topology/node_info.ts";
import type { RedisReply } from "../../src/types.ts";
import { fixtureReply } from "../_harness/fixtures.ts";
import { testNode } from "../_harness/nodes.ts";

/** One node of a Redis 7 `CLUSTER SHARDS` reply, as ordered key/value pairs. */
type Fields = [string, RedisReply][];

function shardNode(
  id: string,
  port: number,
  role: "master" | "replica",
  extra: Record<string, RedisReply> = {},
): Fields {
  const base: Record<string, RedisReply> = {
    id,
    port,
    ip: "127.0.0.1",
    endpoint: "127.0.0.1",
    hostname: "",
    role,
    "replication-offset": 98765,
    health: "online",
    ...extra,
  };
  return Object.entries(base).filter(([, v]) => v !== undefined);
}

interface ShardSpec {
  slots: number[];
  nodes: Fields[];
}

/** RESP2 shape: every map is a flat key/value array. */
function resp2(shards: ShardSpec[]): RedisReply {
  return shards.map((s) => ["slots", s.slots, "nodes", s.nodes.map((n) => n.flat())]);
}

/** RESP3 shape: every map is a `Map`. */
function resp3(shards: ShardSpec[]): RedisReply {
  return shards.map((s) =>
    new Map<RedisReply, RedisReply>([
      ["slots", s.slots],
      ["nodes", s.nodes.map((n) => new Map<RedisReply, RedisReply>(n))],
    ])
  );
}

const THREE_SHARDS: ShardSpec[] = [
  {
    slots: [0, 5460],
    nodes: [shardNode("a0", 7000, "master"), shardNode("a3", 7003, "replica")],
  },
  {
    slots: [5461, 10922],
    nodes: [
      shardNode("b1", 7001, "master"),
      shardNode("b4", 7004, "replica", { health: "loading", "replication-offset": 0 }),
    ],
  },
  {
    slots: [10923, 16383],
    nodes: [
      shardNode("c2", 7002, "master"),
      shardNode("c5", 7005, "replica", { health: "fail" }),
      shardNode("c6", 7006, "replica"),
    ],
  },
];

const OPTS = { fallbackHost: "127.0.0.1" };

function addresses(nodes: readonly NodeInfo[]): string[] {
  return nodes.map((n) => n.address);
}

function checkThreeShards(map: SlotMap): void {
  assert.equal(map.coveredSlots, 16384);
  assert.equal(map.shards.length, 3);
  assert.equal(map.shardOf(0)?.master.address, "127.0.0.1:7000");
  assert.equal(map.shardOf(5460)?.master.address, "127.0.0.1:7000");
  assert.equal(map.shardOf(5461)?.master.address, "127.0.0.1:7001");
  assert.equal(map.shardOf(16383)?.master.address, "127.0.0.1:7002");
  assert.deepEqual(addresses(map.shardOf(12000)!.replicas), ["127.0.0.1:7005", "127.0.0.1:7006"]);
  assert.deepEqual(map.shardOf(0)!.master, {
    id: "a0",
    host: "127.0.0.1",
    port: 7000,
    address: "127.0.0.1:7000",
    role: "master",
    health: "online",
    replicationOffset: 98765,
  });
  const b4 = map.shardOf(6000)!.replicas[0]!;
  assert.equal(b4.role, "replica");
  assert.equal(b4.health, "loading");
  assert.equal(b4.replicationOffset, 0);
  assert.equal(map.shardOf(12000)!.replicas[0]!.health, "failed");
  assert.deepEqual(addresses(map.nodes()), [
    "127.0.0.1:7000",
    "127.0.0.1:7001",
    "127.0.0.1:7002",
    "127.0.0.1:7003",
    "127.0.0.1:7004",
    "127.0.0.1:7005",
    "127.0.0.1:7006",
  ]);
}

Deno.test("_parseClusterShards() reads a RESP2 reply (flat key/value arrays)", () => {
  checkThreeShards(_parseClusterShards(resp2(THREE_SHARDS), OPTS).map);
});

Deno.test("_parseClusterShards() reads a RESP3 reply (maps)", () => {
  const map = _parseClusterShards(resp3(THREE_SHARDS), OPTS).map;
  checkThreeShards(map);
  assert.deepEqual(map.shards, _parseClusterShards(resp2(THREE_SHARDS), OPTS).map.shards);
});

Deno.test('_parseClusterShards() reads health "fail" (as sent) and "failed" (as documented) alike', () => {
  for (const health of ["fail", "failed"]) {
    const map = _parseClusterShards(
      resp2([{
        slots: [0, 16383],
        nodes: [shardNode("m", 7000, "master"), shardNode("r", 7003, "replica", { health })],
      }]),
      OPTS,
    ).map;
    assert.equal(map.shardOf(0)!.replicas[0]!.health, "failed", health);
  }
});

Deno.test("_parseClusterShards() reads undecoded (byte string) replies", () => {
  const te = new TextEncoder();
  const bytes = (v: RedisReply): RedisReply => (typeof v === "string" ? te.encode(v) : v);
  const reply = THREE_SHARDS.map((s) => [
    te.encode("slots"),
    s.slots,
    te.encode("nodes"),
    s.nodes.map((n) => n.flat().map(bytes)),
  ]);
  checkThreeShards(_parseClusterShards(reply, OPTS).map);
});

Deno.test("_parseClusterShards() assigns every range of a shard with several", () => {
  const map = _parseClusterShards(
    resp2([{ slots: [0, 99, 200, 299, 16383, 16383], nodes: [shardNode("a", 7000, "master")] }]),
    OPTS,
  ).map;
  assert.equal(map.coveredSlots, 100 + 100 + 1);
  assert.equal(map.shardOf(99)?.master.id, "a");
  assert.equal(map.shardOf(100), undefined);
  assert.equal(map.shardOf(250)?.master.id, "a");
  assert.equal(map.shardOf(16383)?.master.id, "a");
});

Deno.test("_parseClusterShards() falls back to ip, then the answering host, for '?' or '' endpoints", () => {
  const map = _parseClusterShards(
    resp2([
      { slots: [0, 0], nodes: [shardNode("q", 7000, "master", { endpoint: "?", ip: "10.1.1.1" })] },
      { slots: [1, 1], nodes: [shardNode("e", 7001, "master", { endpoint: "", ip: "10.1.1.2" })] },
      { slots: [2, 2], nodes: [shardNode("n", 7002, "master", { endpoint: "?", ip: "" })] },
      { slots: [3, 3], nodes: [shardNode("h", 7003, "master", { endpoint: "node-3.local" })] },
    ]),
    { fallbackHost: "192.0.2.9" },
  ).map;
  assert.equal(map.shardOf(0)?.master.address, "10.1.1.1:7000");
  assert.equal(map.shardOf(1)?.master.address, "10.1.1.2:7001");
  assert.equal(map.shardOf(2)?.master.address, "192.0.2.9:7002");
  assert.equal(map.shardOf(3)?.master.address, "node-3.local:7003");
});

Deno.test("_parseClusterShards() brackets IPv6 hosts in addresses", () => {
  const map = _parseClusterShards(
    resp3([{ slots: [0, 16383], nodes: [shardNode("v6", 7000, "master", { endpoint: "::1" })] }]),
    OPTS,
  ).map;
  assert.equal(map.shardOf(0)?.master.host, "::1");
  assert.equal(map.shardOf(0)?.master.address, "[::1]:7000");
});

Deno.test("_parseClusterShards() uses tls-port when a node announces no port", () => {
  const fields = shardNode("t", 0, "master").filter(([k]) => k !== "port");
  fields.push(["tls-port", 7443]);
  const map = _parseClusterShards(resp3([{ slots: [0, 16383], nodes: [fields] }]), OPTS).map;
  assert.equal(map.shardOf(0)?.master.address, "127.0.0.1:7443");
});

Deno.test("_parseClusterShards() dials tls-port under TLS when a node announces both ports", () => {
  const fields = shardNode("t", 7000, "master");
  fields.push(["tls-port", 7443]);
  const reply = resp3([{ slots: [0, 16383], nodes: [fields] }]);
  assert.equal(_parseClusterShards(reply, OPTS).map.shardOf(0)?.master.port, 7000);
  assert.equal(
    _parseClusterShards(reply, { ...OPTS, tls: true }).map.shardOf(0)?.master.port,
    7443,
  );
});

Deno.test("_parseClusterShards() maps addresses through a natMap record", () => {
  const natMap: NatMap = { "10.0.0.5:6379": { host: "127.0.0.1", port: 7000 } };
  const map = _parseClusterShards(
    resp2([{
      slots: [0, 16383],
      nodes: [
        shardNode("m", 6379, "master", { endpoint: "10.0.0.5" }),
        shardNode("r", 6379, "replica", { endpoint: "10.0.0.6" }),
      ],
    }]),
    { fallbackHost: "127.0.0.1", natMap },
  ).map;
  const shard = map.shardOf(0)!;
  assert.equal(shard.master.address, "127.0.0.1:7000");
  assert.equal(shard.master.host, "127.0.0.1");
  assert.equal(shard.master.port, 7000);
  // Not in the record: left as announced.
  assert.equal(shard.replicas[0]?.address, "10.0.0.6:6379");
});

Deno.test("_parseClusterShards() maps addresses through a natMap function", () => {
  const seen: string[] = [];
  const natMap: NatMap = ({ host, port }) => {
    seen.push(`${host}:${port}`);
    return host.startsWith("10.") ? { host: "127.0.0.1", port: port + 1000 } : undefined;
  };
  const map = _parseClusterShards(
    resp3([{
      slots: [0, 16383],
      nodes: [
        shardNode("m", 6379, "master", { endpoint: "10.0.0.5" }),
        shardNode("r", 6380, "replica", { endpoint: "192.168.0.6" }),
      ],
    }]),
    { fallbackHost: "127.0.0.1", natMap },
  ).map;
  assert.deepEqual(seen, ["10.0.0.5:6379", "192.168.0.6:6380"]);
  assert.equal(map.shardOf(0)?.master.address, "127.0.0.1:7379");
  assert.equal(map.shardOf(0)?.replicas[0]?.address, "192.168.0.6:6380");
});

Deno.test("_parseClusterShards() picks the online master when a failed old master is still listed", () => {
  for (const shape of [resp2, resp3]) {
    const map = _parseClusterShards(
      shape([{
        slots: [0, 16383],
        nodes: [
          shardNode("old", 7000, "master", { health: "fail" }),
          shardNode("new", 7003, "master"),
          shardNode("r", 7006, "replica"),
        ],
      }]),
      OPTS,
    ).map;
    const shard = map.shardOf(0)!;
    assert.equal(shard.master.id, "new");
    assert.equal(shard.master.address, "127.0.0.1:7003");
    assert.ok(!addresses(shard.replicas).includes("127.0.0.1:7003"));
    assert.ok(addresses(shard.replicas).includes("127.0.0.1:7006"));
  }
});

Deno.test("_parseClusterShards() skips a shard with no master", () => {
  const map = _parseClusterShards(
    resp2([
      { slots: [0, 8191], nodes: [shardNode("a", 7000, "master")] },
      { slots: [8192, 16383], nodes: [shardNode("orphan", 7004, "replica")] },
    ]),
    OPTS,
  ).map;
  assert.equal(map.coveredSlots, 8192);
  assert.equal(map.shardOf(9000), undefined);
  assert.deepEqual(addresses(map.nodes()), ["127.0.0.1:7000"]);
});

Deno.test("_parseClusterShards() keeps a slotless shard's nodes but does not serve it", () => {
  const map = _parseClusterShards(
    resp3([
      { slots: [0, 16383], nodes: [shardNode("a", 7000, "master")] },
      { slots: [], nodes: [shardNode("spare", 7009, "master")] },
    ]),
    OPTS,
  ).map;
  assert.equal(map.shards.length, 2);
  assert.deepEqual(map.servingShards().map((s) => s.master.id), ["a"]);
  assert.ok(addresses(map.nodes()).includes("127.0.0.1:7009"));
});

Deno.test("_parseClusterShards() rejects a reply that is not an array", () => {
  assert.throws(() => _parseClusterShards("OK", OPTS).map, TypeError);
  assert.throws(() => _parseClusterShards([["slots", 5, "nodes", []]], OPTS).map, TypeError);
});

/** A Redis 7 `CLUSTER SLOTS` node: ip, port, id, metadata. */
function slotsNode(ip: string, port: number, id: string): RedisReply {
  return [ip, port, id, []];
}

Deno.test("_parseClusterSlots() reads masters, replicas and ranges", () => {
  const map = _parseClusterSlots(
    [
      [0, 5460, slotsNode("127.0.0.1", 7000, "a0"), slotsNode("127.0.0.1", 7003, "a3")],
      [5461, 10922, slotsNode("127.0.0.1", 7001, "b1")],
      [10923, 16383, slotsNode("127.0.0.1", 7002, "c2"), slotsNode("127.0.0.1", 7005, "c5")],
    ],
    OPTS,
  );
  assert.equal(map.coveredSlots, 16384);
  const a = map.shardOf(100)!;
  assert.equal(a.master.address, "127.0.0.1:7000");
  assert.equal(a.master.id, "a0");
  assert.equal(a.master.role, "master");
  assert.equal(a.master.health, "online");
  assert.deepEqual(addresses(a.replicas), ["127.0.0.1:7003"]);
  assert.equal(a.replicas[0]?.role, "replica");
  assert.deepEqual(map.shardOf(6000)!.replicas, []);
  assert.equal(map.shardOf(16383)?.master.address, "127.0.0.1:7002");
});

Deno.test("_parseClusterSlots() merges several ranges of one master into one shard", () => {
  const map = _parseClusterSlots(
    [
      [0, 99, slotsNode("127.0.0.1", 7000, "a")],
      [100, 199, slotsNode("127.0.0.1", 7001, "b")],
      [200, 299, slotsNode("127.0.0.1", 7000, "a")],
    ],
    OPTS,
  );
  assert.equal(map.shards.length, 2);
  assert.equal(map.shardOf(0), map.shardOf(250));
  assert.equal(map.coveredSlots, 300);
});

Deno.test("_parseClusterSlots() falls back for unknown endpoints and applies natMap", () => {
  const map = _parseClusterSlots(
    [
      [0, 0, slotsNode("?", 7000, "q")],
      [1, 1, slotsNode("", 7001, "e")],
      [2, 2, slotsNode("10.0.0.5", 6379, "n")],
    ],
    { fallbackHost: "127.0.0.2", natMap: { "10.0.0.5:6379": { host: "127.0.0.1", port: 7002 } } },
  );
  assert.equal(map.shardOf(0)?.master.address, "127.0.0.2:7000");
  assert.equal(map.shardOf(1)?.master.address, "127.0.0.2:7001");
  assert.equal(map.shardOf(2)?.master.address, "127.0.0.1:7002");
});

Deno.test("_parseClusterSlots() rejects malformed replies", () => {
  assert.throws(() => _parseClusterSlots(null, OPTS), TypeError);
  assert.throws(() => _parseClusterSlots([[0, 16383]], OPTS), TypeError);
});

// Captured from Redis 7.4.1 right after a failover (redis/redis#13414): 31551 failed, 31555 took
// over slots 0-5460, but CLUSTER SHARDS lists that shard with no slots.
const SHARDS_741 = fixtureReply("redis-7.4.1-cluster-shards-after-failover.resp");
const SLOTS_741 = fixtureReply("redis-7.4.1-cluster-slots-after-failover.resp");

Deno.test("_parseClusterShards() doubts Redis 7.4.1's reply after a failover: 5461 slots in no shard", () => {
  const { map, doubts } = _parseClusterShards(SHARDS_741, OPTS);
  assert.equal(map.coveredSlots, 16384 - 5461);
  assert.deepEqual(doubts, ["5461 slots are in no shard"]);
  assert.equal(map.shardOf(0), undefined);
  // The failed old master, listed first, is not the new master's shard's master.
  assert.ok(!map.nodes().some((n) => n.role === "master" && n.port === 31551));
});

Deno.test("_parseClusterSlots() of the same moment gives slots 0-5460 to the promoted replica", () => {
  const map = _parseClusterSlots(SLOTS_741, OPTS);
  assert.equal(map.coveredSlots, 16384);
  assert.equal(map.shardOf(0)?.master.port, 31555);
  assert.equal(map.shardOf(5460)?.master.port, 31555);
  assert.equal(map.shardOf(5461)?.master.port, 31552);
  assert.deepEqual(addresses(map.shardOf(16383)!.replicas), ["127.0.0.1:31554"]);
  // CLUSTER SLOTS leaves the failed old master out.
  assert.deepEqual(map.shardOf(0)?.replicas, []);
});

Deno.test("_withShardsDetail() keeps CLUSTER SLOTS's owners and adds CLUSTER SHARDS's failed nodes and health", () => {
  const shards = _parseClusterShards(SHARDS_741, OPTS).map;
  const map = _withShardsDetail(_parseClusterSlots(SLOTS_741, OPTS), shards);
  assert.equal(map.coveredSlots, 16384);
  assert.equal(map.shardOf(0)?.master.port, 31555);
  const [old] = map.shardOf(0)!.replicas;
  assert.equal(old?.port, 31551);
  assert.equal(old?.role, "replica");
  assert.equal(old?.health, "failed");
  assert.deepEqual(addresses(map.shardOf(5461)!.replicas), ["127.0.0.1:31556"]);
});

Deno.test("_withShardsDetail() takes each node's health from CLUSTER SHARDS", () => {
  const owners = _parseClusterSlots(
    [[0, 16383, ["127.0.0.1", 7000, "n7000"], ["127.0.0.1", 7001, "n7001"]]],
    OPTS,
  );
  const shards = SlotMap.fromRanges([{
    shard: {
      master: testNode(7000, "master"),
      replicas: [{ ...testNode(7001, "replica"), health: "loading" }],
    },
    ranges: [],
  }]);
  const map = _withShardsDetail(owners, shards);
  assert.equal(map.shardOf(0)?.replicas[0]?.health, "loading");
  assert.equal(map.shardOf(0)?.master.health, "online");
});

Deno.test("_parseClusterShards() doubts a shard that lists two healthy masters", () => {
  const { doubts, map } = _parseClusterShards(
    resp3([{
      slots: [0, 16383],
      nodes: [shardNode("a", 7000, "master"), shardNode("b", 7001, "master")],
    }]),
    OPTS,
  );
  assert.deepEqual(doubts, ["a shard lists 2 masters (127.0.0.1:7000, 127.0.0.1:7001)"]);
  assert.equal(map.coveredSlots, 16384);
});
