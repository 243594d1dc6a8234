import assert from "node:assert/strict";
import { _Topology } from "../../src/topology/topology.ts";
import { _Discovery } from "../../src/topology/discovery.ts";
import { SlotMap } from "../../src/topology/slot_map.ts";
import type { NodeInfo } from "../../src/topology/node_info.ts";
import { _SILENT_LOGGER } from "../../src/logger.ts";
import type { RedisArgument, RedisReply } from "../../src/types.ts";
import { RedisError } from "../../src/errors.ts";
import { until } from "../_harness/wait.ts";

/** A discovery whose CLUSTER SLOTS answers wait for the test: each refresh gets its own gate. */
function gatedTopology() {
  const gates: PromiseWithResolvers<RedisReply>[] = [];
  const send = (_node: NodeInfo, args: RedisArgument[]): Promise<RedisReply> => {
    if (args[1] === "SHARDS") return Promise.resolve(new RedisError("ERR unknown subcommand"));
    const gate = Promise.withResolvers<RedisReply>();
    gates.push(gate);
    return gate.promise;
  };
  const discovery = new _Discovery({
    startupNodes: [{ host: "127.0.0.1", port: 7000 }],
    natMap: undefined,
    tls: false,
    send: (node, args) => send(node, args),
    logger: _SILENT_LOGGER,
  });
  const refreshed: SlotMap[] = [];
  const topology = new _Topology(discovery, {
    refreshIntervalMs: 0,
    refreshCooldownMs: 0,
    logger: _SILENT_LOGGER,
    onRefreshed: (map) => refreshed.push(map),
  });
  return { topology, gates, refreshed };
}

/** CLUSTER SLOTS: every slot on one master. */
const allOn = (port: number): RedisReply => [[0, 16383, ["127.0.0.1", port, `n${port}`]]];

Deno.test("a refresh under way when a MOVED arrives keeps the MOVED: an older view never undoes a newer redirect", async () => {
  const { topology, gates, refreshed } = gatedTopology();
  const first = topology.refresh({ force: true });
  await until(() => gates.length === 1, "gates.length === 1");
  gates[0]!.resolve(allOn(7000));
  await first;
  const g1 = topology.map.generation;
  // A refresh starts, then slot 5 moves to 7001 before its (older) answer arrives.
  const second = topology.refresh({ force: true });
  await until(() => gates.length === 2, "gates.length === 2");
  const moved = topology.applyMoved(5, "127.0.0.1:7001", "127.0.0.1");
  assert.equal(moved.port, 7001);
  assert.ok(topology.map.generation > g1);
  gates[1]!.resolve(allOn(7000));
  await second;
  assert.equal(topology.map.shardOf(5)?.master.port, 7001, "the MOVED was undone");
  assert.equal(topology.map.shardOf(6)?.master.port, 7000);
  // The node the MOVED named is in the map handed on, so its connections are kept.
  assert.ok(refreshed.at(-1)!.nodes().some((n) => n.port === 7001));
  // A refresh started after the MOVED is believed as it is.
  const third = topology.refresh({ force: true });
  await until(() => gates.length >= 3, "gates.length >= 3");
  for (const g of gates.slice(2)) g.resolve(allOn(7000));
  await third;
  assert.equal(topology.map.shardOf(5)?.master.port, 7000);
  await topology.close();
});

Deno.test("every installed snapshot has a higher generation; a MOVED to the current owner makes none", async () => {
  const { topology, gates } = gatedTopology();
  const g0 = topology.map.generation;
  topology.applyMoved(1, "127.0.0.1:7001", "127.0.0.1");
  const g1 = topology.map.generation;
  assert.ok(g1 > g0);
  const before = topology.map;
  topology.applyMoved(1, "127.0.0.1:7001", "127.0.0.1");
  assert.equal(topology.map, before, "a redirect to the owner already known copies nothing");
  assert.equal(SlotMap.empty().generation, 0);
  // The refresh the MOVED scheduled answers now.
  await until(() => gates.length === 1, "gates.length === 1");
  gates[0]!.resolve(allOn(7001));
  await topology.close();
});
