/**
 * What the client does after each kind of server error, seen from the servers' side: which node
 * gets the next try, whether the map is asked for again, whether the caller gets the error at
 * once. Three fake nodes: M (master of every slot), R (M's replica), N (a master of no slots).
 */
import assert from "node:assert/strict";
import { ConnectionError, keySlot, RedisCluster, RedisError } from "../../mod.ts";
import { bulk, commandName, type FakeNode, fakeNode } from "../_harness/fake_cluster.ts";
import { resp2 } from "../_harness/fixtures.ts";
import { SAMPLES } from "../_harness/error_samples.ts";

interface Trio {
  m: FakeNode;
  r: FakeNode;
  n: FakeNode;
  /** GET/SET answers per node: errors to send first, in order; then a plain answer. */
  script: Map<FakeNode, string[]>;
  /** CLUSTER SHARDS asked, per node. */
  refreshes: () => number;
  /** From now on the topology replies name N as the master of every slot (a migration). */
  moveSlotsToN(): void;
  [Symbol.asyncDispose](): Promise<void>;
}

function trio(): Trio {
  const script = new Map<FakeNode, string[]>();
  let refreshes = 0;
  let moved = false;
  const nodes: FakeNode[] = [];
  const shards = (): string => {
    const [m, r, n] = nodes;
    const node = (f: FakeNode, role: string) => [
      "id",
      `id${f.port}`,
      "port",
      f.port,
      "ip",
      "127.0.0.1",
      "endpoint",
      "127.0.0.1",
      "role",
      role,
      "replication-offset",
      1,
      "health",
      "online",
    ];
    return resp2([
      ["slots", moved ? [] : [0, 16383], "nodes", [node(m!, "master"), node(r!, "replica")]],
      ["slots", moved ? [0, 16383] : [], "nodes", [node(n!, "master")]],
    ]);
  };
  const answer = (self: () => FakeNode) => (cmd: string[]): string | null => {
    const name = commandName(cmd);
    if (name === "CLUSTER SHARDS") {
      refreshes++;
      return shards();
    }
    if (name === "ASKING") return "+OK\r\n";
    if (name === "ROLE") {
      return self() === nodes[1]
        ? resp2(["slave", "127.0.0.1", nodes[0]!.port, "connected", 1])
        : resp2(["master", 1, []]);
    }
    const queued = script.get(self());
    const next = queued?.shift();
    if (next !== undefined) return next;
    return cmd[0] === "SET" ? "+OK\r\n" : bulk(`from ${self().port}`);
  };
  for (let i = 0; i < 3; i++) {
    const node: FakeNode = fakeNode(answer(() => node));
    nodes.push(node);
  }
  const [m, r, n] = nodes as [FakeNode, FakeNode, FakeNode];
  return {
    m,
    r,
    n,
    script,
    refreshes: () => refreshes,
    moveSlotsToN: () => moved = true,
    [Symbol.asyncDispose]: async () => {
      await Promise.all(nodes.map((x) => x.kill()));
    },
  };
}

function client(t: Trio, readFrom: "master" | "replica" = "master"): RedisCluster<true> {
  return new RedisCluster({
    startupNodes: [`127.0.0.1:${t.m.port}`],
    decodeResponses: true,
    readFrom,
    retryBaseMs: 1,
    refreshIntervalMs: 0,
    refreshCooldownMs: 0,
  });
}

const K_SLOT = keySlot("k");

const gets = (node: FakeNode): number => node.received.filter((c) => c[0] === "GET").length;

Deno.test("MOVED: the next try goes to the named node, and later commands go there at once", async () => {
  await using t = trio();
  await using rc = client(t);
  await rc.connect();
  t.script.set(t.m, [`-MOVED ${K_SLOT} 127.0.0.1:${t.n.port}\r\n`]);
  t.moveSlotsToN();
  assert.equal(await rc.get("k"), `from ${t.n.port}`);
  assert.equal(await rc.get("k"), `from ${t.n.port}`);
  assert.deepEqual([gets(t.m), gets(t.n)], [1, 2]);
});

Deno.test("MOVED with no host (':port') means the host of the node that redirected", async () => {
  await using t = trio();
  await using rc = client(t);
  await rc.connect();
  t.script.set(t.m, [`-MOVED ${K_SLOT} :${t.n.port}\r\n`]);
  t.moveSlotsToN();
  assert.equal(await rc.get("k"), `from ${t.n.port}`);
  assert.equal(rc.slotMap.shardOf(K_SLOT)?.master.address, `127.0.0.1:${t.n.port}`);
});

Deno.test("ASK: one try at the named node, preceded by ASKING; the map is unchanged", async () => {
  await using t = trio();
  await using rc = client(t);
  await rc.connect();
  t.script.set(t.m, [`-ASK ${K_SLOT} 127.0.0.1:${t.n.port}\r\n`]);
  assert.equal(await rc.get("k"), `from ${t.n.port}`);
  assert.equal(await rc.get("k"), `from ${t.m.port}`);
  assert.equal(rc.slotMap.shardOf(K_SLOT)?.master.port, t.m.port);
  assert.deepEqual(t.n.received.map((c) => c[0]), ["ASKING", "GET"]);
});

Deno.test("TRYAGAIN: retried on the same node after a pause, no refresh needed", async () => {
  await using t = trio();
  await using rc = client(t);
  await rc.connect();
  const before = t.refreshes();
  t.script.set(t.m, [`-${SAMPLES.TRYAGAIN}\r\n`, `-${SAMPLES.TRYAGAIN}\r\n`]);
  assert.equal(await rc.get("k"), `from ${t.m.port}`);
  assert.equal(gets(t.m), 3);
  assert.equal(t.refreshes(), before);
});

Deno.test("CLUSTERDOWN and READONLY: the map is asked for again before the retry", async () => {
  for (const kind of ["CLUSTERDOWN", "READONLY"] as const) {
    await using t = trio();
    await using rc = client(t);
    await rc.connect();
    const before = t.refreshes();
    t.script.set(t.m, [`-${SAMPLES[kind]}\r\n`]);
    assert.equal(await rc.set("k", "v"), "OK", kind);
    assert.ok(t.refreshes() > before, `${kind}: no refresh`);
  }
});

Deno.test("LOADING and MASTERDOWN from a replica: the read goes to another node of the shard", async () => {
  for (const kind of ["LOADING", "MASTERDOWN"] as const) {
    await using t = trio();
    await using rc = client(t);
    await rc.connect();
    t.script.set(t.r, [`-${SAMPLES[kind]}\r\n`]);
    const served: string[] = [];
    const reply = await rc.get("k", {
      readFrom: "replica-preferred",
      onServed: (n) => served.push(n.role),
    });
    assert.equal(reply, `from ${t.m.port}`, kind);
    assert.deepEqual(served, ["master"], kind);
    assert.deepEqual([gets(t.r), gets(t.m)], [1, 1], kind);
  }
});

Deno.test("CROSSSLOT, NOSCRIPT, BUSY and other errors reach the caller after one try", async () => {
  for (const kind of ["CROSSSLOT", "NOSCRIPT", "BUSY", "OTHER"] as const) {
    await using t = trio();
    await using rc = client(t);
    await rc.connect();
    t.script.set(t.m, [`-${SAMPLES[kind]}\r\n`]);
    await assert.rejects(rc.get("k"), (e: unknown) => e instanceof RedisError && e.kind === kind);
    assert.equal(gets(t.m), 1, kind);
  }
});

Deno.test("a connect timeout is a node failure: the call goes on and the map is asked for again", async () => {
  await using t = trio();
  await using rc = new RedisCluster({
    startupNodes: [`127.0.0.1:${t.m.port}`],
    decodeResponses: true,
    retryBaseMs: 1,
    refreshIntervalMs: 0,
    refreshCooldownMs: 0,
    connectTimeoutMs: 100,
  });
  await rc.get("k");
  // M freezes: its connections are dropped and new ones time out in the handshake.
  const refreshes = t.refreshes();
  t.m.freeze();
  t.m.dropClients();
  // The client notices the idle close (and refreshes: M still owns the slots).
  while (t.refreshes() === refreshes) await new Promise((r) => setTimeout(r, 1));
  // While the write waits for its connect to M to time out, the slots move to N.
  const started = performance.now();
  setTimeout(() => t.moveSlotsToN(), 50);
  assert.equal(await rc.set("k", "v"), "OK");
  assert.ok(performance.now() - started >= 100, "no connect timeout was sat through");
  assert.equal(t.n.received.filter((c) => c[0] === "SET").length, 1);
  assert.equal(t.m.received.filter((c) => c[0] === "SET").length, 0);
});

Deno.test('readFrom "replica" with no usable replica fails at once, naming the slot', async () => {
  await using t = trio();
  await using rc = client(t, "replica");
  await rc.connect();
  await t.r.kill();
  // The replica is known unreachable once a read fails on it; the next read fails at once.
  await assert.rejects(rc.get("k"));
  const started = performance.now();
  await assert.rejects(rc.get("k"), (e: unknown) => {
    assert.ok(e instanceof ConnectionError);
    assert.match(e.message, new RegExp(`no usable replica serves slot ${K_SLOT}`));
    return true;
  });
  assert.ok(performance.now() - started < 500, "the read was retried instead of failing");
  assert.equal(gets(t.m), 0, "a replica-only read went to the master");
});
