/**
 * Pub/sub on a real cluster: sharded channels in order, subscriptions that follow a failover, a
 * slot migration and a killed node (each reporting its gap), a bounded buffer, RESP3.
 */
import assert from "node:assert/strict";
import { CapacityError, keySlot, type PubSubGap, RedisCluster } from "../../mod.ts";
import type { PubSubMessage, Subscription } from "../../mod.ts";
import { LocalCluster } from "../../testing/local_cluster.ts";
import { until } from "../_harness/wait.ts";

type Item = PubSubMessage<true> | PubSubGap;

/**
 * Publishes with `publish` every 50 ms until `sub` yields a message again (at most ~10 s);
 * returns that message and the gaps reported before it.
 */
async function deliveredAgain(
  sub: Subscription<true>,
  publish: (i: number) => Promise<unknown>,
): Promise<{ gaps: PubSubGap[]; message: PubSubMessage<true> }> {
  const gaps: PubSubGap[] = [];
  let pending: Promise<IteratorResult<Item>> = sub.next();
  for (let i = 0; i < 200; i++) {
    await publish(i).catch(() => undefined);
    let timer: ReturnType<typeof setTimeout> | undefined;
    const wait = new Promise<"wait">((r) => timer = setTimeout(() => r("wait"), 50));
    const got = await Promise.race([pending, wait]);
    clearTimeout(timer);
    if (got === "wait") continue;
    if (got.done) throw new Error("the subscription ended");
    if (got.value.kind === "message") return { gaps, message: got.value };
    gaps.push(got.value);
    pending = sub.next();
  }
  throw new Error("no message arrived again");
}

/** Subscribers of a classic channel over every master, by the nodes' own count. */
async function subscribers(cluster: LocalCluster, channel: string): Promise<number> {
  let n = 0;
  for (const m of await cluster.masters()) {
    n += Number((await cluster.cli(m.port, "pubsub", "numsub", channel)).trim().split("\n")[1]);
  }
  return n;
}

/** The port of the node holding `channel`'s classic subscription, by the nodes' own count. */
async function holder(cluster: LocalCluster, channel: string): Promise<number> {
  for (const n of await cluster.masters()) {
    const out = await cluster.cli(n.port, "pubsub", "numsub", channel);
    if (out.trim().split("\n")[1] === "1") return n.port;
  }
  throw new Error(`no node holds ${channel}`);
}

Deno.test("pub/sub on a real cluster", async (t) => {
  await using cluster = await LocalCluster.start({ nodeTimeoutMs: 1000 });
  const { startupNodes } = cluster;
  await using rc = new RedisCluster({ startupNodes, decodeResponses: true });

  await t.step("1000 messages over 50 sharded channels arrive in order per channel", async () => {
    const channels = Array.from({ length: 50 }, (_, i) => `orders:{c${i}}`);
    assert.ok(new Set(channels.map(keySlot)).size > 10, "channels spread over slots");
    await using sub = await rc.ssubscribe(...channels);
    const sends: Promise<number>[] = [];
    for (let i = 0; i < 1000; i++) sends.push(rc.spublish(channels[i % 50]!, String(i)));
    assert.ok((await Promise.all(sends)).every((n) => n === 1), "each reached one subscriber");
    const seen = new Map<string, number[]>();
    let n = 0;
    for await (const m of sub) {
      assert.equal(m.kind, "message");
      const list = seen.get(m.channel as string) ?? [];
      list.push(Number(m.message));
      seen.set(m.channel as string, list);
      if (++n === 1000) break;
    }
    for (const [channel, list] of seen) {
      const i = channels.indexOf(channel);
      assert.deepEqual(list, Array.from({ length: 20 }, (_, k) => i + 50 * k), channel);
    }
  });

  await t.step("a sharded subscription follows a manual failover, and says so", async () => {
    const channel = "fo:{x}";
    const events: { kind: string; channel: string }[] = [];
    rc.addEventListener("subscriptiongap", (e) => events.push(e.detail));
    await using sub = await rc.ssubscribe(channel);
    const master = await cluster.masterOfSlot(keySlot(channel));
    const [replica] = await cluster.replicasOf(master.port);
    await cluster.failover(replica!.port);
    const { gaps, message } = await deliveredAgain(sub, (i) => rc.spublish(channel, `after${i}`));
    assert.match(String(message.message), /^after/);
    assert.equal(gaps.length, 1, "one gap reported");
    assert.equal(gaps[0]!.gap.channel, channel);
    assert.ok(gaps[0]!.gap.fromMs <= gaps[0]!.gap.toMs);
    assert.equal(rc.slotMap.shardOf(keySlot(channel))?.master.port, replica!.port);
    assert.deepEqual(events.map((e) => [e.kind, e.channel]), [["shard", channel]], "the event too");
  });

  await t.step("a sharded subscription follows its slot to another master", async () => {
    const channel = "mig:{y}";
    const slot = keySlot(channel);
    await using sub = await rc.ssubscribe(channel);
    const from = await cluster.masterOfSlot(slot);
    const to = (await cluster.masters()).find((m) => m.port !== from.port)!;
    await cluster.migrateSlot(slot, to.port);
    const { gaps, message } = await deliveredAgain(sub, (i) => rc.spublish(channel, `moved${i}`));
    assert.match(String(message.message), /^moved/);
    assert.equal(gaps.length, 1);
    assert.equal(gaps[0]!.gap.channel, channel);
  });

  await t.step("classic and pattern subscriptions follow a killed node, and say so", async () => {
    await using sub = await rc.subscribe("news");
    await using pat = await rc.psubscribe("alerts.*");
    // Both live on the client's "home" master.
    const home = await holder(cluster, "news");
    await cluster.kill(home);
    const a = await deliveredAgain(sub, (i) => rc.publish("news", `n${i}`));
    const b = await deliveredAgain(pat, (i) => rc.publish("alerts.disk", `d${i}`));
    assert.equal(a.gaps.length, 1);
    assert.equal(b.gaps.length, 1);
    assert.equal(b.message.pattern, "alerts.*");
    await cluster.restart(home);
  });

  await t.step(
    "a reader that stops gets a CapacityError at bufferSize, and is unsubscribed",
    async () => {
      await using sub = await rc.subscribe("flood", { bufferSize: 100 });
      for (let i = 0; i < 300; i++) await rc.publish("flood", "x".repeat(100));
      const it = sub[Symbol.asyncIterator]();
      let taken = 0;
      await assert.rejects(
        async () => {
          for (;;) {
            await it.next();
            taken++;
          }
        },
        (e: unknown) => {
          assert.ok(e instanceof CapacityError, String(e));
          assert.equal(e.option, "bufferSize");
          assert.match(
            e.message,
            /dropped \d+ messages?: the reader fell more than bufferSize \(100\)/,
          );
          return true;
        },
      );
      assert.equal(taken, 0, "the overflow error replaces what was queued");
      await until(async () => (await subscribers(cluster, "flood")) === 0, "unsubscribed");
    },
  );

  await t.step('overflow "drop-oldest" keeps the newest and counts the rest', async () => {
    await using sub = await rc.subscribe("flood2", { bufferSize: 10, overflow: "drop-oldest" });
    for (let i = 0; i < 50; i++) await rc.publish("flood2", String(i));
    await until(() => sub.dropped === 40, "40 dropped");
    const got: string[] = [];
    for await (const m of sub) {
      got.push(String(m.message));
      if (got.length === 10) break;
    }
    assert.deepEqual(got, Array.from({ length: 10 }, (_, i) => String(40 + i)));
  });

  await t.step(
    "RESP3: messages arrive as push frames; add() and remove() change the set",
    async () => {
      await using r3 = new RedisCluster({ startupNodes, decodeResponses: true, protocol: 3 });
      await using sub = await r3.subscribe("r3:a");
      await sub.add("r3:b");
      assert.equal(await subscribers(cluster, "r3:b"), 1);
      await r3.publish("r3:b", "1");
      await sub.remove("r3:a");
      await until(async () => (await subscribers(cluster, "r3:a")) === 0, "r3:a unsubscribed");
      const { value } = await sub.next();
      assert.deepEqual(value, { kind: "message", channel: "r3:b", message: "1" });
      assert.deepEqual(sub.channels, ["r3:b"]);
    },
  );

  await t.step("onPush receives other RESP3 pushes (CLIENT TRACKING invalidations)", async () => {
    const pushes: { address: string; kind: string }[] = [];
    await using r3 = new RedisCluster({
      startupNodes,
      decodeResponses: true,
      protocol: 3,
      onPush: (push, address) =>
        pushes.push({ address, kind: new TextDecoder().decode(push.data[0] as Uint8Array) }),
    });
    const key = "tracked:k";
    await r3.set(key, "1");
    const owner = r3.slotMap.shardOf(keySlot(key))!.master;
    const [node] = (await r3.nodes("master")).filter((n) => n.address === owner.address);
    assert.equal(await node!.sendCommand(["CLIENT", "TRACKING", "ON"]), "OK");
    assert.equal(await r3.get(key), "1");
    await rc.set(key, "2");
    await until(() => pushes.some((p) => p.kind === "invalidate"), "an invalidation arrived");
    assert.equal(pushes.find((p) => p.kind === "invalidate")!.address, owner.address);
  });

  await t.step("an AbortSignal unsubscribes; bad arguments are TypeErrors", async () => {
    const ctl = new AbortController();
    const sub = await rc.subscribe("sig", { signal: ctl.signal });
    ctl.abort();
    assert.deepEqual(await sub.next(), { value: undefined, done: true });
    await until(async () => (await subscribers(cluster, "sig")) === 0, "unsubscribed");
    // @ts-expect-error: a channel must be a string
    await assert.rejects(rc.subscribe(42), TypeError);
    await assert.rejects(rc.subscribe("a", { bufferSize: 0 }), /bufferSize/);
  });
});
