import assert from "node:assert/strict";
import { PipelineError, RedisCluster, RedisError, WatchError } from "../../mod.ts";
import { keySlot } from "../../src/topology/slot.ts";
import { LocalCluster } from "../../testing/local_cluster.ts";
import { commandCalls, resetStats, total } from "../_harness/stats.ts";
import { prng } from "../_harness/keys.ts";

type Op = [string, ...string[]];

function mixed(n: number, prefix: string): Op[] {
  const rand = prng(9);
  return Array.from({ length: n }, (_, i): Op => {
    const k = `${prefix}:${Math.floor(rand() * 3000)}`;
    switch (i % 5) {
      case 0:
        return ["SET", k, String(i)];
      case 1:
        return ["INCR", `${k}:n`];
      case 2:
        return ["GET", k];
      case 3:
        return ["RPUSH", `${k}:l`, String(i)];
      default:
        return ["LRANGE", `${k}:l`, "0", "-1"];
    }
  });
}

Deno.test("pipelines and transactions on a real cluster", async (t) => {
  await using cluster = await LocalCluster.start();
  const { startupNodes } = cluster;
  await using rc = new RedisCluster({ startupNodes, decodeResponses: true });

  await t.step(
    "a 10k-command pipeline through a readonly client equals one-by-one calls",
    async () => {
      await using ro = new RedisCluster({
        startupNodes,
        decodeResponses: true,
        readonlyMode: true,
        readYourWrites: true,
      });
      const expected: unknown[] = [];
      for (const op of mixed(10_000, "p1")) expected.push(await rc.sendCommand(op));
      const pipe = ro.pipeline();
      for (const op of mixed(10_000, "p2")) pipe.sendCommand(op);
      assert.equal(pipe.length, 10_000);
      const got = await pipe.execute();
      assert.equal(got.length, expected.length);
      // Same key sequence under another prefix: replies must match position by position.
      got.forEach((r, i) => assert.deepEqual(r, expected[i], `command #${i}`));
    },
  );

  await t.step("typed methods chain and transform replies in order", async () => {
    const replies = await rc.pipeline()
      .set("t:a", "1").incr("t:a").get("t:a").hset("t:h", { f: "v" }).hgetall("t:h")
      .mget("t:a", "t:missing").execute();
    assert.deepEqual(replies, ["OK", 2, "2", 1, { f: "v" }, ["2", null]]);
  });

  await t.step("a WRONGTYPE in the middle leaves the other replies intact", async () => {
    await rc.set("wt:str", "x");
    const pipe = () => rc.pipeline().set("wt:a", "1").lpush("wt:str", "y").get("wt:a");
    await assert.rejects(pipe().execute(), (e: unknown) => {
      assert.ok(e instanceof PipelineError);
      assert.equal(e.replies[0], "OK");
      assert.ok(e.replies[1] instanceof RedisError && e.replies[1].code === "WRONGTYPE");
      assert.equal(e.replies[2], "1");
      assert.deepEqual(e.errors.map((x) => x.index), [1]);
      return true;
    });
    const soft = await pipe().execute({ throwOnError: false });
    assert.ok(soft[1] instanceof RedisError);
    assert.deepEqual([soft[0], soft[2]], ["OK", "1"]);
  });

  await t.step("stream() yields every reply with its index", async () => {
    const pipe = rc.pipeline();
    for (let i = 0; i < 1000; i++) pipe.set(`s:${i}`, String(i));
    const seen = new Set<number>();
    for await (const { index, reply } of pipe.stream()) {
      assert.equal(reply, "OK");
      seen.add(index);
    }
    assert.equal(seen.size, 1000);
  });

  await t.step("await using discards a pipeline that was never executed", async () => {
    {
      await using pipe = rc.pipeline();
      pipe.set("never:sent", "x");
    }
    assert.equal(await rc.exists("never:sent"), 0);
  });

  await t.step("a pipeline while slots migrate (MOVED and ASK) answers every command", async () => {
    const tags = ["mig1", "mig2", "mig3"];
    const keys = tags.flatMap((tag) => Array.from({ length: 60 }, (_, i) => `{${tag}}:${i}`));
    await Promise.all(keys.map((k) => rc.set(k, `v-${k}`)));
    const moves = [];
    for (const tag of tags) {
      const slot = keySlot(tag);
      const from = await cluster.masterOfSlot(slot);
      const to = (await cluster.masters()).find((m) => m.port !== from.port)!;
      moves.push({ slot, to });
    }
    // One slot fully moved (MOVED), one half-moved (ASK), one moving while the pipeline runs.
    await cluster.migrateSlot(moves[0]!.slot, moves[0]!.to.port);
    await cluster.migrateSlot(moves[1]!.slot, moves[1]!.to.port, { keys: "half" });
    const moving = cluster.migrateSlot(moves[2]!.slot, moves[2]!.to.port);
    for (let round = 0; round < 5; round++) {
      const pipe = rc.pipeline();
      for (const k of keys) pipe.get(k).set(`${k}:r${round}`, "x").exists(`${k}:r${round}`);
      const replies = await pipe.execute();
      keys.forEach((k, i) => {
        assert.equal(replies[i * 3], `v-${k}`);
        assert.equal(replies[i * 3 + 1], "OK");
        assert.equal(replies[i * 3 + 2], 1);
      });
    }
    await moving;
    await cluster.finishMigration(moves[1]!.slot, moves[1]!.to.port);
  });

  await t.step("MULTI/EXEC on hash-tagged keys is atomic", async () => {
    await rc.mset({ "{acct}:a": "10000", "{acct}:b": "0" });
    // Another client, on connections of its own, watches the invariant a + b = 10000. Each
    // transaction is 1000 commands (~50 KB), more than the server reads at once, so only
    // MULTI/EXEC keeps the observer from landing between them.
    await using other = new RedisCluster({ startupNodes, decodeResponses: true });
    let partial = 0;
    let looks = 0;
    let stop = false;
    const observer = (async () => {
      while (!stop) {
        const [a, b] = await other.mget("{acct}:a", "{acct}:b");
        if (Number(a) + Number(b) !== 10000) partial++;
        looks++;
      }
    })();
    for (let i = 0; i < 10; i++) {
      const tx = rc.multi();
      for (let j = 0; j < 500; j++) tx.decrby("{acct}:a", 1).incrby("{acct}:b", 1);
      const replies = await tx.exec();
      assert.deepEqual(replies.slice(-2), [10000 - 500 * (i + 1), 500 * (i + 1)]);
    }
    stop = true;
    await observer;
    assert.equal(partial, 0, `${partial} of ${looks} looks saw a partial transaction`);
    assert.ok(looks > 0);
    assert.deepEqual(await rc.mget("{acct}:a", "{acct}:b"), ["5000", "5000"]);
  });

  await t.step("multi() across slots fails before anything is sent", async () => {
    await assert.rejects(
      rc.multi().set("x:1", "1").set("y:2", "2").exec(),
      (e: unknown) => e instanceof TypeError && /one slot/.test(e.message),
    );
    assert.equal(await rc.exists("x:1", "y:2"), 0);
  });

  await t.step("a transaction with a command that cannot be sent runs none of it", async () => {
    await rc.set("{bad}:a", "before");
    assert.throws(() => rc.multi().sendCommand([]), TypeError);
    const tx = rc.multi().set("{bad}:a", "after")
      .sendCommand(["SET", "{bad}:b", undefined as unknown as string]);
    await assert.rejects(
      tx.exec(),
      (e: unknown) => e instanceof TypeError && /argument 2/.test(`${e}`),
    );
    assert.equal(await rc.get("{bad}:a"), "before");
    assert.equal(await rc.exists("{bad}:b"), 0);
  });

  await t.step("WATCH aborts on a concurrent change and commits otherwise", async () => {
    await rc.set("{w}:n", "1");
    await assert.rejects(
      rc.watch(["{w}:n"], async (tx) => {
        const n = Number(await tx.get("{w}:n"));
        await rc.set("{w}:n", "changed"); // another client changes the watched key
        return tx.multi().set("{w}:n", String(n + 1));
      }),
      WatchError,
    );
    assert.equal(await rc.get("{w}:n"), "changed");
    let attempts = 0;
    const replies = await rc.watch(["{w}:n"], async (tx) => {
      attempts++;
      const n = await tx.get("{w}:n");
      if (attempts === 1) await rc.set("{w}:n", "again");
      return tx.multi().set("{w}:n", `${n}+1`);
    }, { maxAttempts: 3 });
    assert.deepEqual(replies, ["OK"]);
    assert.equal(attempts, 2);
    assert.equal(await rc.get("{w}:n"), "again+1");
  });

  await t.step(
    "a multi-key command whose second key is in another slot fails before MULTI is sent",
    async () => {
      await resetStats(cluster);
      await assert.rejects(
        rc.multi().set("{one}:a", "1").mset({ "{one}:b": "1", "{other}:c": "1" }).exec(),
        (e: unknown) => e instanceof TypeError && /one slot/.test(e.message),
      );
      assert.equal(total(await commandCalls(cluster, "multi")), 0);
      assert.equal(await rc.exists("{one}:a", "{one}:b", "{other}:c"), 0);
    },
  );

  await t.step("an ASK while queueing retries the whole block on the importing node", async () => {
    const slot = keySlot("asktx");
    const from = await cluster.masterOfSlot(slot);
    const to = (await cluster.masters()).find((m) => m.port !== from.port)!;
    await cluster.migrateSlot(slot, to.port, { keys: "none" });
    try {
      // The keys are not on the source: it answers ASK for each queued command (EXECABORT).
      const replies = await rc.multi().set("{asktx}:k", "v").get("{asktx}:k").exec();
      assert.deepEqual(replies, ["OK", "v"]);
      assert.equal(await cluster.cli(to.port, "cluster", "countkeysinslot", String(slot)), "1");
    } finally {
      await cluster.finishMigration(slot, to.port);
    }
  });

  await t.step("watch() keeps one connection for all its attempts", async () => {
    await rc.set("{wc}:n", "0");
    const master = await cluster.masterOfSlot(keySlot("{wc}:n"));
    const received = async () =>
      Number(
        /total_connections_received:(\d+)/.exec(await cluster.cli(master.port, "info", "stats"))
          ?.[1],
      );
    const before = await received();
    let attempts = 0;
    await rc.watch(["{wc}:n"], async (tx) => {
      attempts++;
      const n = await tx.get("{wc}:n");
      if (attempts < 4) await rc.set("{wc}:n", `${n}!`); // a conflict on each of the first three
      return tx.multi().set("{wc}:n", "done");
    }, { maxAttempts: 5 });
    assert.equal(attempts, 4);
    // The redis-cli call itself counts as one connection.
    assert.ok((await received()) - before <= 2, "a connection per attempt");
    assert.equal(await rc.get("{wc}:n"), "done");
  });
});
