import assert from "node:assert/strict";
import { RedisCluster } from "../../mod.ts";
import { ConnectionError, RedisError, TimeoutError } from "../../src/errors.ts";
import { keySlot } from "../../src/topology/slot.ts";
import { Connection } from "../../src/transport/connection.ts";
import { LocalCluster } from "../../testing/local_cluster.ts";
import { prng, tagPerSlot } from "../_harness/keys.ts";

Deno.test("RedisCluster against a real 6-node cluster", async (t) => {
  await using cluster = await LocalCluster.start();
  const startupNodes = cluster.startupNodes;
  await using rc = new RedisCluster({ startupNodes, decodeResponses: true });

  await t.step("keySlot() matches CLUSTER KEYSLOT for 10k random keys", async () => {
    const [node] = startupNodes;
    const conn = await Connection.connect({ host: node!.host, port: node!.port });
    const rand = prng(7);
    const keys: (string | Uint8Array)[] = [];
    for (let i = 0; i < 10_000; i++) {
      const len = 1 + Math.floor(rand() * 12);
      if (i % 3 === 0) {
        keys.push(Uint8Array.from({ length: len }, () => Math.floor(rand() * 256)));
      } else {
        const chars = "ab{}é€😀x1";
        keys.push(
          Array.from({ length: len }, () => chars[Math.floor(rand() * chars.length)]).join(""),
        );
      }
    }
    const slots = await Promise.all(keys.map((k) => conn.send(["CLUSTER", "KEYSLOT", k])));
    keys.forEach((k, i) => assert.equal(keySlot(k), slots[i], `key #${i}`));
    await conn.close();
  });

  const tags = tagPerSlot();

  await t.step("20k keys over all 16384 slots are written and read back", async () => {
    const keys = tags.map((tag, slot) => `{${tag}}:${slot}`);
    for (let i = 0; keys.length < 20_000; i++) keys.push(`extra:${i}`);
    const sets = await Promise.all(keys.map((k) => rc.sendCommand(["SET", k, `v-${k}`])));
    assert.ok(sets.every((r) => r === "OK"));
    const gets = await Promise.all(keys.map((k) => rc.sendCommand(["GET", k])));
    gets.forEach((v, i) => assert.equal(v, `v-${keys[i]}`));
    assert.equal(await rc.sendCommand(["DBSIZE"]), 20_000);
  });

  await t.step(
    "keyless commands keep to one master, so a SCAN cursor pages where it began",
    async () => {
      const runIds = new Set<string>();
      for (let i = 0; i < 20; i++) {
        const info = String(await rc.sendCommand(["INFO", "server"]));
        runIds.add(/run_id:(\w+)/.exec(info)?.[1] ?? "");
      }
      assert.equal(runIds.size, 1);
      let cursor = "0";
      let seen = 0;
      do {
        const [next, keys] = await rc.sendCommand(["SCAN", cursor, "COUNT", 500]) as [
          string,
          string[],
        ];
        cursor = next;
        seen += keys.length;
      } while (cursor !== "0");
      const masters = await rc.nodes("master");
      const sizes = await Promise.all(masters.map((m) => m.sendCommand(["DBSIZE"])));
      assert.ok(sizes.includes(seen), `SCAN saw ${seen} keys; masters hold ${sizes.join(", ")}`);
    },
  );

  await t.step("hash-tagged keys land on the same node", async () => {
    await rc.sendCommand(["SET", "{user1000}.following", "a"]);
    await rc.sendCommand(["SET", "{user1000}.followers", "b"]);
    const holders = [];
    for (const node of await rc.nodes("master")) {
      // KEYS answers from the node's own keyspace, so it shows where the keys really are.
      const local = await node.sendCommand(["KEYS", "{user1000}*"]) as string[];
      if (local.length > 0) holders.push([node.address, local.length]);
    }
    assert.equal(holders.length, 1);
    assert.equal(holders[0]![1], 2);
  });

  await t.step("cross-slot MGET, MSET, DEL, EXISTS are split and merged in order", async () => {
    const keys = Array.from({ length: 100 }, (_, i) => `cross:${i}`);
    assert.equal(await rc.sendCommand(["MSET", ...keys.flatMap((k, i) => [k, String(i)])]), "OK");
    const got = await rc.sendCommand(["MGET", ...keys, "cross:missing"]);
    assert.deepEqual(got, [...keys.map((_, i) => String(i)), null]);
    assert.equal(await rc.sendCommand(["EXISTS", ...keys, "cross:missing"]), 100);
    assert.equal(await rc.sendCommand(["DEL", ...keys.slice(0, 50)]), 50);
    const after = await rc.sendCommand(["MGET", ...keys]) as unknown[];
    assert.deepEqual(after.slice(0, 50), new Array(50).fill(null));
    assert.equal(after[50], "50");
  });

  await t.step("other multi-key commands keep the server's CROSSSLOT error", async () => {
    await assert.rejects(
      rc.sendCommand(["SUNIONSTORE", "a-set", "b-set", "c-set"]),
      (e: unknown) => e instanceof RedisError && e.kind === "CROSSSLOT",
    );
  });

  await t.step(
    "MOVED: a slot migrates while a client with the old map reads and writes",
    async () => {
      const slot = keySlot("moving");
      const keys = Array.from({ length: 200 }, (_, i) => `{moving}:${i}`);
      await Promise.all(keys.map((k) => rc.sendCommand(["SET", k, "0"])));
      const from = await cluster.masterOfSlot(slot);
      const to = (await cluster.masters()).find((m) => m.port !== from.port)!;
      let stop = false;
      let ops = 0;
      const load = (async () => {
        for (let round = 1; !stop || round < 3; round++) {
          await Promise.all(keys.map((k) => rc.sendCommand(["SET", k, String(round)])));
          const values = await Promise.all(keys.map((k) => rc.sendCommand(["GET", k])));
          values.forEach((v) => assert.equal(v, String(round)));
          ops += keys.length * 2;
        }
      })();
      await cluster.migrateSlot(slot, to.port);
      stop = true;
      await load;
      assert.ok(ops > 0);
      assert.equal((await cluster.masterOfSlot(slot)).port, to.port);
      assert.equal(rc.slotMap.shardOf(slot)?.master.port, to.port);
    },
  );

  await t.step("ASK: a half-migrated slot answers every read and write correctly", async () => {
    const slot = keySlot("asking");
    const keys = Array.from({ length: 100 }, (_, i) => `{asking}:${i}`);
    await Promise.all(keys.map((k, i) => rc.sendCommand(["SET", k, `old${i}`])));
    const from = await cluster.masterOfSlot(slot);
    const to = (await cluster.masters()).find((m) => m.port !== from.port)!;
    await cluster.migrateSlot(slot, to.port, { keys: "half" });
    const values = await Promise.all(keys.map((k) => rc.sendCommand(["GET", k])));
    values.forEach((v, i) => assert.equal(v, `old${i}`));
    await Promise.all(keys.map((k, i) => rc.sendCommand(["SET", k, `new${i}`])));
    await Promise.all(keys.map((k) => rc.sendCommand(["SET", `${k}:fresh`, "f"])));
    const again = await Promise.all(keys.map((k) => rc.sendCommand(["GET", k])));
    again.forEach((v, i) => assert.equal(v, `new${i}`));
    await cluster.finishMigration(slot, to.port);
    const fresh = await Promise.all(keys.map((k) => rc.sendCommand(["GET", `${k}:fresh`])));
    assert.ok(fresh.every((v) => v === "f"));
  });

  await t.step(
    "a blocking command waits on its own connection, past commandTimeoutMs",
    async () => {
      await using patient = new RedisCluster({
        startupNodes,
        decodeResponses: true,
        commandTimeoutMs: 100,
      });
      const popped = patient.blpop(["{q}:jobs"], 5);
      // Same slot, same node: must not queue behind the BLPOP.
      for (let i = 0; i < 5; i++) assert.equal(await patient.get("{q}:other"), null);
      await new Promise((r) => setTimeout(r, 200)); // longer than commandTimeoutMs
      await patient.rpush("{q}:jobs", "job-1");
      assert.deepEqual(await popped, ["{q}:jobs", "job-1"]);
    },
  );

  await t.step(
    "a per-call signal or timeoutMs cancels one command; the client carries on",
    async () => {
      const ctl = new AbortController();
      const waiting = rc.blpop(["{q}:never"], 5, { signal: ctl.signal });
      setTimeout(() => ctl.abort(new Error("user gave up")), 50);
      await assert.rejects(waiting, TimeoutError);
      await assert.rejects(rc.blpop(["{q}:never"], 5, { timeoutMs: 50 }), TimeoutError);
      await assert.rejects(rc.get("{q}:other", { signal: AbortSignal.abort() }), TimeoutError);
      await rc.rpush("{q}:never", "late");
      // The cancelled BLPOPs are gone with their connections: nothing consumed the element.
      assert.deepEqual(await rc.lrange("{q}:never", 0, -1), ["late"]);
      assert.equal(await rc.del("{q}:never"), 1);
    },
  );

  await t.step(
    "a dead first startup node is skipped; all dead fails fast and clearly",
    async () => {
      const dead = { host: "127.0.0.1", port: closedPort() };
      await using other = new RedisCluster({ startupNodes: [dead, ...startupNodes.slice(0, 1)] });
      assert.equal(await other.sendCommand(["PING"]), "PONG");
      await using none = new RedisCluster({ startupNodes: [dead, `127.0.0.1:${closedPort()}`] });
      await assert.rejects(
        none.connect(),
        (e: unknown) =>
          e instanceof ConnectionError && e.message.includes(`127.0.0.1:${dead.port}`),
      );
    },
  );
});

function closedPort(): number {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = l.addr;
  l.close();
  return port;
}
