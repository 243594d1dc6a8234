/**
 * A frozen (SIGSTOP) or killed (SIGKILL) master under load, on a real cluster: per shard, 4
 * writers of write-once keys and 4 readonly readers. The promotion's moment is the replica's own
 * `ROLE` answer; lost writes are what `redis-cli --scan` no longer finds. Each run prints its
 * figures.
 */
import assert from "node:assert/strict";
import { ConnectionError, keySlot, RedisCluster, RedisError, TimeoutError } from "../../mod.ts";
import { Connection } from "../../resp.ts";
import { LocalCluster } from "../../testing/local_cluster.ts";
import { tagPerSlot } from "../_harness/keys.ts";
import { until } from "../_harness/wait.ts";

const WRITERS = 4;
const READERS = 4;
/** How long a frozen master stays frozen. */
const FREEZE_MS = 8000;
/** The promised bound from the promotion to the first acknowledged write on its shard. */
const WRITES_BACK_MS = 150;

interface Figures {
  /** Promotion to the first acknowledged write on the victim's shard. */
  writesBackMs: number;
  /** Other shards' completed commands per second during the fault, over before it. */
  otherShardsRatio: number;
  /** Read errors but timeouts spent waiting through the cluster's own CLUSTERDOWN. */
  readErrors: unknown[];
  /** Calls that timed out while every node answered CLUSTERDOWN (the cluster's own outage). */
  clusterDown: number;
  /** Errors of writes to other shards, but CLUSTERDOWN timeouts: there should be none. */
  otherWriteErrors: unknown[];
  /** Errors of writes to the victim's shard that are not "outcome unknown" or a timeout. */
  unexpectedVictimErrors: unknown[];
  victimWriteErrors: number;
  acked: number;
  lost: string[];
}

interface Scenario {
  fault: "freeze" | "kill";
  commandTimeoutMs?: number;
}

async function underLoad(cluster: LocalCluster, scenario: Scenario): Promise<Figures> {
  const { startupNodes } = cluster;
  const timeouts = scenario.commandTimeoutMs === undefined
    ? {}
    : { commandTimeoutMs: scenario.commandTimeoutMs };
  await using rc = new RedisCluster({ startupNodes, decodeResponses: true, ...timeouts });
  await using ro = new RedisCluster({
    startupNodes,
    decodeResponses: true,
    readonlyMode: true,
    ...timeouts,
  });
  await rc.connect();
  // One hash tag per shard, so each key's shard is known and redis-cli can scan for it.
  const tags = tagPerSlot();
  const shards = rc.slotMap.servingShards();
  const tagOf = shards.map((s) => tags.find((t) => rc.slotMap.shardOf(keySlot(t)) === s)!);
  const victim = shards[0]!.master;
  const promoted = shards[0]!.replicas[0]!;
  const readKeys = tagOf.map((t) => Array.from({ length: 20 }, (_, i) => `r:{${t}}:${i}`));
  const sync = { waitReplicas: { replicas: 1, timeoutMs: 2000 } };
  await Promise.all(readKeys.flat().map((k) => rc.set(k, "v", sync)));
  await ro.connect();

  const done = shards.map((): number[] => []);
  const acked: { key: string; shard: number; at: number }[] = [];
  const readErrors: unknown[] = [];
  const writeErrors: { shard: number; error: unknown }[] = [];
  let stop = false;
  const writer = async (shard: number, w: number): Promise<void> => {
    for (let n = 0; !stop; n++) {
      const key = `w:{${tagOf[shard]}}:${w}:${n}`;
      try {
        await rc.set(key, "1");
        acked.push({ key, shard, at: performance.now() });
      } catch (error) {
        writeErrors.push({ shard, error });
      }
      done[shard]!.push(performance.now());
    }
  };
  const reader = async (shard: number, r: number): Promise<void> => {
    for (let n = r; !stop; n++) {
      const key = readKeys[shard]![n % readKeys[shard]!.length]!;
      try {
        assert.equal(await ro.get(key), "v");
      } catch (error) {
        readErrors.push(error);
      }
      done[shard]!.push(performance.now());
    }
  };
  const workers = shards.flatMap((_, s) => [
    ...Array.from({ length: WRITERS }, (_, w) => writer(s, w)),
    ...Array.from({ length: READERS }, (_, r) => reader(s, r)),
  ]);
  const settled = Promise.allSettled(workers);

  // The promotion, as the replica itself reports it.
  const watch = await Connection.connect({ host: promoted.host, port: promoted.port });
  await new Promise((r) => setTimeout(r, 1000));
  const faultAt = performance.now();
  if (scenario.fault === "freeze") cluster.freeze(victim.port);
  else await cluster.kill(victim.port);
  let promotedAt = 0;
  await until(
    async () => {
      const role = await watch.send(["ROLE"], { decode: true });
      promotedAt = performance.now();
      return Array.isArray(role) && role[0] === "master";
    },
    `${promoted.address} to be promoted`,
    30_000,
  );
  await watch.close();
  await until(
    () => acked.some((a) => a.shard === 0 && a.at > promotedAt),
    "a write to the victim's shard after the promotion",
    5000,
  );
  if (scenario.fault === "freeze") {
    await until(() => performance.now() >= faultAt + FREEZE_MS, "the freeze has lasted");
    cluster.thaw(victim.port);
  } else await cluster.restart(victim.port, { waitHealthy: false });
  await cluster.waitHealthy();
  await new Promise((r) => setTimeout(r, 500));
  stop = true;
  // Every command settles: none hangs on the node that froze or died.
  const settledInTime = await Promise.race([
    settled.then(() => true),
    new Promise<boolean>((r) => setTimeout(() => r(false), 10_000)),
  ]);
  assert.ok(settledInTime, "some commands never settled");

  const rate = (s: number, from: number, to: number): number =>
    done[s]!.filter((t) => t >= from && t < to).length / ((to - from) / 1000);
  const others = shards.map((_, s) => s).filter((s) => s !== 0);
  const before = others.reduce((sum, s) => sum + rate(s, faultAt - 1000, faultAt), 0);
  const during = others.reduce((sum, s) => sum + rate(s, faultAt, promotedAt), 0);
  const firstBack = Math.min(
    ...acked.filter((a) => a.shard === 0 && a.at > promotedAt).map((a) => a.at),
  );
  // "Outcome unknown" (lost with its connection after it was sent) and the caller's own
  // timeout are the errors a write to a dying master cannot avoid.
  const unavoidable = (e: unknown): boolean =>
    (e instanceof ConnectionError && e.sent) ||
    (e instanceof TimeoutError && scenario.commandTimeoutMs !== undefined);
  // Between the failure verdict and the promotion every node refuses every command with
  // CLUSTERDOWN (cluster-require-full-coverage): a call whose timeout ends in that window
  // cannot succeed anywhere.
  const refusedByCluster = (e: unknown): boolean =>
    e instanceof TimeoutError && e.cause instanceof RedisError && e.cause.kind === "CLUSTERDOWN";
  const victimErrors = writeErrors.filter((e) => e.shard === 0).map((e) => e.error);
  const otherWriteErrors = writeErrors.filter((e) => e.shard !== 0).map((e) => e.error);

  // Every acknowledged write is still there, as the shard's master lists its keys.
  const lost: string[] = [];
  for (const [s, tag] of tagOf.entries()) {
    const master = await cluster.masterOfSlot(keySlot(tag));
    const listed = new Set(
      (await cluster.cli(master.port, "--scan", "--pattern", `w:{${tag}}:*`)).split("\n"),
    );
    for (const a of acked) if (a.shard === s && !listed.has(a.key)) lost.push(a.key);
  }
  return {
    writesBackMs: firstBack - promotedAt,
    otherShardsRatio: during / before,
    readErrors: readErrors.filter((e) => !refusedByCluster(e)),
    clusterDown: [...readErrors, ...otherWriteErrors].filter(refusedByCluster).length,
    otherWriteErrors: otherWriteErrors.filter((e) => !refusedByCluster(e)),
    unexpectedVictimErrors: victimErrors.filter((e) => !unavoidable(e)),
    victimWriteErrors: victimErrors.length,
    acked: acked.length,
    lost,
  };
}

function check(name: string, f: Figures): void {
  console.log(
    `${name}: writes back ${f.writesBackMs.toFixed(0)} ms after the promotion; other shards at ` +
      `${(f.otherShardsRatio * 100).toFixed(0)}% of their throughput; ${f.acked} writes ` +
      `acknowledged, ${f.lost.length} lost; ${f.victimWriteErrors} writes to the victim failed ` +
      `(outcome unknown or timed out); ${f.readErrors.length} read errors; ${f.clusterDown} other ` +
      "calls timed out through the cluster's CLUSTERDOWN",
  );
  assert.deepEqual(f.lost, [], "acknowledged writes were lost");
  assert.deepEqual(f.readErrors, [], "reads saw errors");
  assert.deepEqual(f.otherWriteErrors, [], "writes to healthy shards failed");
  assert.deepEqual(f.unexpectedVictimErrors, []);
  assert.ok(f.writesBackMs <= WRITES_BACK_MS, `writes came back ${f.writesBackMs} ms after`);
  assert.ok(f.otherShardsRatio >= 0.5, "the other shards lost their throughput");
}

Deno.test("a frozen or killed master under load costs milliseconds after its failover", async (t) => {
  await using cluster = await LocalCluster.start({ nodeTimeoutMs: 2000 });
  await t.step("SIGSTOP for 8 s, no command timeout", async () => {
    check("freeze", await underLoad(cluster, { fault: "freeze" }));
  });
  await t.step("SIGSTOP for 8 s, commandTimeoutMs 500", async () => {
    check(
      "freeze, 500 ms timeout",
      await underLoad(cluster, { fault: "freeze", commandTimeoutMs: 500 }),
    );
  });
  await t.step("SIGKILL", async () => {
    check("kill", await underLoad(cluster, { fault: "kill" }));
  });
});
