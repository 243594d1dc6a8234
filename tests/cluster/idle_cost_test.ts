/**
 * What a client costs the cluster while nobody uses it, counted by the servers themselves
 * (`INFO commandstats`, `ACL LOG`).
 */
import assert from "node:assert/strict";
import { RedisCluster } from "../../mod.ts";
import { _SILENT_LOGGER } from "../../src/logger.ts";
import { LocalCluster } from "../../testing/local_cluster.ts";
import { commandCalls, total } from "../_harness/stats.ts";
import { until } from "../_harness/wait.ts";

const roles = async (cluster: LocalCluster): Promise<number> =>
  total(await commandCalls(cluster, "role"));

/** Waits until the count stops moving (the same over `quietMs`), then returns it. */
async function settled(cluster: LocalCluster, quietMs: number): Promise<number> {
  let last = await roles(cluster);
  let since = performance.now();
  await until(
    async () => {
      const now = await roles(cluster);
      if (now !== last) [last, since] = [now, performance.now()];
      return performance.now() - since >= quietMs;
    },
    "ROLE traffic to stop",
    10_000,
  );
  return last;
}

Deno.test("replica health checks follow use", async (t) => {
  await using cluster = await LocalCluster.start();
  const { startupNodes } = cluster;

  await t.step(
    "an idle readonly client sends no ROLE; its next reads start the checks again",
    async () => {
      await using ro = new RedisCluster({ startupNodes, readonlyMode: true });
      for (let i = 0; i < 50; i++) await ro.get(`idle:${i}`);
      const quiet = await settled(cluster, 1000);
      // Idle: a second look over the same span finds nothing new.
      await new Promise((r) => setTimeout(r, 1000));
      assert.equal(await roles(cluster), quiet, "ROLE was sent while the client was idle");
      for (let i = 0; i < 5; i++) await ro.get(`idle:${i}`);
      await until(async () => (await roles(cluster)) > quiet, "reads to restart the checks");
    },
  );

  await t.step("ROLE refused by the ACL: said once, and no more ROLE is asked", async () => {
    for (const node of cluster.nodes) {
      await cluster.cli(
        node.port,
        "acl",
        "setuser",
        "norole",
        "on",
        ">pw",
        "~*",
        "&*",
        "+@all",
        "-role",
      );
      await cluster.cli(node.port, "acl", "log", "reset");
    }
    const warnings: string[] = [];
    await using ro = new RedisCluster({
      startupNodes,
      readonlyMode: true,
      decodeResponses: true,
      username: "norole",
      password: "pw",
      logger: { ..._SILENT_LOGGER, warn: (m: unknown) => warnings.push(String(m)) },
    });
    await ro.set("norole:k", "v");
    for (let i = 0; i < 40; i++) {
      assert.ok([null, "v"].includes(await ro.get("norole:k")));
      await new Promise((r) => setTimeout(r, 25));
    }
    const refusedWarnings = warnings.filter((w) => w.includes("ROLE refused"));
    assert.equal(refusedWarnings.length, 1, warnings.join("\n"));
    let denied = 0;
    for (const node of cluster.nodes) {
      const log = (await cluster.cli(node.port, "acl", "log")).split("\n");
      for (let i = 0; i + 7 < log.length; i++) {
        if (log[i] === "count" && log[i + 6] === "object" && log[i + 7] === "role") {
          denied += Number(log[i + 1]);
        }
      }
    }
    console.log(`ROLE refused ${denied} times over 40 reads in 1 s`);
    // One round: the first refusal stops the polling (a round asks every node at once).
    assert.ok(denied <= cluster.nodes.length, `ROLE was refused ${denied} times`);
  });
});
