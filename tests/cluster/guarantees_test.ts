/**
 * The client's promises on a real cluster: nothing a caller sends changes what another caller's
 * command gets, a call's limits bound the whole call, and close() ends everything.
 */
import assert from "node:assert/strict";
import { ConnectionError, keySlot, RedisCluster, TimeoutError } from "../../mod.ts";
import { LocalCluster } from "../../testing/local_cluster.ts";
import { until } from "../_harness/wait.ts";

const NAME = "rcluster-guarantees";

/** Our client's connections as the servers list them (CLIENT LIST on every node). */
async function ourConnections(
  cluster: LocalCluster,
  name = NAME,
): Promise<{ port: number; cmd: string }[]> {
  const found: { port: number; cmd: string }[] = [];
  for (const node of cluster.nodes) {
    const list = await cluster.cli(node.port, "client", "list").catch(() => "");
    for (const line of list.split("\n")) {
      if (!line.includes(` name=${name} `)) continue;
      found.push({ port: node.port, cmd: /\bcmd=(\S+)/.exec(line)?.[1] ?? "" });
    }
  }
  return found;
}

Deno.test("guarantees on a real cluster", async (t) => {
  await using cluster = await LocalCluster.start();
  const { startupNodes } = cluster;
  await using rc = new RedisCluster({ startupNodes, decodeResponses: true });

  await t.step(
    "stateful commands are refused with a TypeError naming the API to use, wherever they are sent",
    async () => {
      const refused: [string[], RegExp][] = [
        [["MULTI"], /rc\.multi\(\)/],
        [["exec"], /rc\.multi\(\)/],
        [["WATCH", "k"], /rc\.watch\(\)/],
        [["SUBSCRIBE", "news"], /rc\.subscribe\(\)/],
        [["PSUBSCRIBE", "n*"], /rc\.psubscribe\(\)/],
        [["SSUBSCRIBE", "n"], /rc\.ssubscribe\(\)/],
        [["MONITOR"], /rc\.monitor\(\)/],
        [["SELECT", "1"], /database 0/],
        [["CLIENT", "REPLY", "OFF"], /CLIENT REPLY/],
        [["RESET"], /RESET/],
        [["QUIT"], /rc\.close\(\)/],
        [["HELLO", "3"], /protocol/],
        [["AUTH", "x"], /password/],
        [["READWRITE"], /readFrom/],
      ];
      const [node] = await rc.nodes("master");
      for (const [args, hint] of refused) {
        const check = (e: unknown): boolean =>
          e instanceof TypeError && hint.test(e.message) && e.message.includes("shared connection");
        await assert.rejects(rc.sendCommand(args), check, args.join(" "));
        await assert.rejects(node!.sendCommand(args), check, args.join(" "));
        assert.throws(() => rc.pipeline().sendCommand(args), check, args.join(" "));
        assert.throws(() => rc.multi().sendCommand(args), check, args.join(" "));
      }
    },
  );

  await t.step("a refused MULTI cannot make another caller's GET answer QUEUED", async () => {
    await rc.set("{x}a", "value");
    const [multi, get, after] = await Promise.allSettled([
      rc.sendCommand(["MULTI"]),
      rc.get("{x}a"),
      rc.get("{x}a"),
    ]);
    assert.equal(multi.status, "rejected");
    assert.deepEqual([get, after].map((r) => r.status === "fulfilled" && r.value), [
      "value",
      "value",
    ]);
  });

  await t.step("rc.monitor() streams every node's commands on connections of its own", async () => {
    const monitor = await rc.monitor({ nodes: "master" });
    const key = "monitored:key";
    const seen: string[] = [];
    const reading = (async () => {
      for await (const { address, line } of monitor) {
        if (line.includes(`"${key}"`)) {
          seen.push(`${address} ${line}`);
          break;
        }
      }
    })();
    const master = await cluster.masterOfSlot(keySlot(key));
    // Lines reach the monitor only after it is live on every node; write until one arrives.
    while (seen.length === 0) {
      await rc.set(key, "v");
      await Promise.race([reading, new Promise((r) => setTimeout(r, 20))]);
    }
    await reading;
    assert.match(seen[0]!, new RegExp(`^${master.address} .*"SET" "${key}" "v"`));
    // break closed the monitor's connections; the shared ones still work.
    await until(
      async () => !(await ourConnectionsAll(cluster)).some((c) => c.cmd === "monitor"),
      "no MONITOR connection is left",
    );
    assert.equal(await rc.get(key), "v");
  });

  await t.step(
    "decoded text equals the bytes sent: a leading BOM survives, over RESP2 and RESP3",
    async () => {
      const texts = ["\uFEFFabc", "\uFEFF", "a\uFEFFb", "é\u{1F600}"];
      for (const protocol of [2, 3] as const) {
        await using client = new RedisCluster({ startupNodes, decodeResponses: true, protocol });
        for (const [i, text] of texts.entries()) {
          await client.set(`{bom}${i}`, text);
          assert.equal(
            await client.get(`{bom}${i}`),
            text,
            `RESP${protocol}: ${JSON.stringify(text)}`,
          );
          await client.hset(`{bom}h${i}`, text, text);
          assert.deepEqual(await client.hgetall(`{bom}h${i}`), { [text]: text });
        }
      }
    },
  );

  await t.step(
    "close({ drain: true }) lets calls already made finish; later ones are refused",
    async () => {
      const client = new RedisCluster({ startupNodes, decodeResponses: true });
      await client.set("drain:k", "v");
      const calls = Array.from({ length: 200 }, () => client.get("drain:k"));
      const closing = client.close({ drain: true });
      await assert.rejects(client.get("drain:k"), ConnectionError);
      assert.deepEqual(await Promise.all(calls), calls.map(() => "v"));
      await closing;
    },
  );

  await t.step(
    "close() settles a blocked BLPOP at once, and no connection of the client is left on any node",
    async () => {
      const client = new RedisCluster({
        startupNodes,
        decodeResponses: true,
        clientName: NAME,
        readFrom: "replica-preferred",
      });
      await client.set("{q}warm", "1");
      assert.equal(await client.get("{q}warm"), "1");
      const blocked = client.blpop(["{q}nothing"], 0).then(() => "popped", (e: unknown) => e);
      const watching = client.watch(["{q}w"], async (tx) => {
        await tx.get("{q}w");
        return undefined;
      });
      await watching;
      await until(
        async () => (await ourConnections(cluster)).some((c) => c.cmd === "blpop"),
        "the server holds the blocked BLPOP",
      );
      await client.close();
      const outcome = await blocked;
      assert.ok(outcome instanceof ConnectionError, String(outcome));
      await until(async () => (await ourConnections(cluster)).length === 0, "no connection left");
      await client.close(); // idempotent
    },
  );

  await t.step(
    "an idle connection the server closes is reopened at once: the node is not put in backoff",
    async () => {
      const [replica] = await cluster.replicas();
      await using client = new RedisCluster({
        startupNodes,
        decodeResponses: true,
        clientName: `${NAME}-idle`,
        readFrom: "replica",
      });
      const key = await keyServedBy(cluster, replica!.port);
      await client.set(key, "v");
      await until(async () => (await client.get(key)) === "v", "the replica has the key");
      await cluster.cli(replica!.port, "config", "set", "timeout", "1");
      try {
        // The shared connection (last command GET) goes idle; the health probes keep theirs.
        await until(
          async () =>
            !(await ourConnections(cluster, `${NAME}-idle`)).some((c) =>
              c.port === replica!.port && c.cmd === "get"
            ),
          "the replica closed our idle connection",
        );
        const roles: string[] = [];
        assert.equal(await client.get(key, { onServed: (n) => roles.push(n.role) }), "v");
        assert.deepEqual(roles, ["replica"]);
      } finally {
        await cluster.cli(replica!.port, "config", "set", "timeout", "0");
      }
    },
  );

  await t.step("with a master killed: limits bound whole calls, close() ends retries", async () => {
    const retries: string[] = [];
    await using client = new RedisCluster({
      startupNodes,
      decodeResponses: true,
      logger: { debug: (m: unknown) => retries.push(String(m)), info() {}, warn() {}, error() {} },
    });
    const key = "deadline:k";
    await client.set(key, "v");
    const victim = await cluster.masterOfSlot(keySlot(key));
    await cluster.kill(victim.port);

    let started = performance.now();
    await assert.rejects(client.get(key, { timeoutMs: 200 }), (e: unknown) => {
      assert.ok(e instanceof TimeoutError, String(e));
      assert.match(e.message, /GET timed out after 200 ms \(\d+ tr(y|ies)/);
      return true;
    });
    const bounded = performance.now() - started;
    assert.ok(bounded < 1500, `timeoutMs 200 took ${bounded.toFixed(0)} ms`);

    const ctl = new AbortController();
    started = performance.now();
    const aborted = client.get(key, { signal: ctl.signal });
    setTimeout(() => ctl.abort(new Error("gave up")), 100);
    await assert.rejects(
      aborted,
      (e: unknown) => e instanceof TimeoutError && /aborted/.test(e.message),
    );
    assert.ok(performance.now() - started < 1500);

    retries.length = 0;
    const retrying = client.get(key).then(() => "served", (e: unknown) => e);
    await until(() => retries.some((m) => /GET on .* lost, retrying/.test(m)), "GET is retrying");
    started = performance.now();
    await client.close();
    const outcome = await retrying;
    assert.ok(
      outcome instanceof ConnectionError && /client was closed/.test(outcome.message),
      String(outcome),
    );
    assert.ok(performance.now() - started < 1500);
    await cluster.waitHealthy();
  });
});

async function ourConnectionsAll(cluster: LocalCluster): Promise<{ port: number; cmd: string }[]> {
  const found: { port: number; cmd: string }[] = [];
  for (const node of cluster.nodes) {
    const list = await cluster.cli(node.port, "client", "list").catch(() => "");
    for (const line of list.split("\n")) {
      const cmd = /\bcmd=(\S+)/.exec(line)?.[1];
      if (cmd !== undefined) found.push({ port: node.port, cmd });
    }
  }
  return found;
}

/** A key whose slot the master of `replicaPort` owns. */
async function keyServedBy(cluster: LocalCluster, replicaPort: number): Promise<string> {
  const role = (await cluster.cli(replicaPort, "role")).split("\n");
  const masterPort = Number(role[2]);
  for (let i = 0;; i++) {
    const key = `idle:${i}`;
    if ((await cluster.masterOfSlot(keySlot(key))).port === masterPort) return key;
  }
}
