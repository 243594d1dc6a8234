import assert from "node:assert/strict";
import { testNode } from "../_harness/nodes.ts";
import { _chooseReader, type _ReadContext, type ReadFrom } from "../../src/topology/read_policy.ts";
import type { NodeInfo } from "../../src/topology/node_info.ts";

function node(port: number, role: NodeInfo["role"] = "replica"): NodeInfo {
  return testNode(port, role);
}

const MASTER = node(7000, "master");
const R1 = node(7003);
const R2 = node(7004);
const SHARD = { master: MASTER, replicas: [R1, R2] };

/** Deterministic values in [0, 1) that cover the interval evenly. */
function sweep(): () => number {
  let i = 0;
  return () => ((i++ * 0.6180339887) % 1);
}

function context(
  options: {
    unusable?: readonly NodeInfo[];
    latency?: Record<string, number>;
    random?: () => number;
  } = {},
): _ReadContext {
  const down = new Set((options.unusable ?? []).map((n) => n.address));
  return {
    usable: (n) => !down.has(n.address),
    latency: (a) => options.latency?.[a],
    random: options.random ?? sweep(),
  };
}

/** How often each node is chosen over `draws` reads (undefined counted as "none"). */
function tally(
  shard: { master: NodeInfo; replicas: readonly NodeInfo[] },
  readFrom: ReadFrom,
  ctx: _ReadContext,
  draws = 300,
): Map<string, number> {
  const counts = new Map<string, number>();
  for (let i = 0; i < draws; i++) {
    const key = _chooseReader(shard, readFrom, ctx)?.address ?? "none";
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
}

Deno.test('_chooseReader() "master" always reads from the master', () => {
  const counts = tally(SHARD, "master", context());
  assert.deepEqual([...counts], [[MASTER.address, 300]]);
});

Deno.test('_chooseReader() "master" reads from the master even when it looks unusable', () => {
  assert.equal(_chooseReader(SHARD, "master", context({ unusable: [MASTER] })), MASTER);
});

Deno.test('_chooseReader() "replica" never reads from the master and spreads over replicas', () => {
  const counts = tally(SHARD, "replica", context());
  assert.equal(counts.get(MASTER.address), undefined);
  assert.ok((counts.get(R1.address) ?? 0) > 50);
  assert.ok((counts.get(R2.address) ?? 0) > 50);
});

Deno.test('_chooseReader() "replica" finds nothing when no replica is usable', () => {
  assert.equal(_chooseReader({ master: MASTER, replicas: [] }, "replica", context()), undefined);
  assert.equal(_chooseReader(SHARD, "replica", context({ unusable: [R1, R2] })), undefined);
});

Deno.test('_chooseReader() "replica-preferred" reads from replicas while one is usable', () => {
  const counts = tally(SHARD, "replica-preferred", context({ unusable: [R1] }));
  assert.deepEqual([...counts], [[R2.address, 300]]);
});

Deno.test('_chooseReader() "replica-preferred" falls back to the master', () => {
  const ctx = context({ unusable: [R1, R2] });
  assert.equal(_chooseReader(SHARD, "replica-preferred", ctx), MASTER);
  assert.equal(_chooseReader({ master: MASTER, replicas: [] }, "replica-preferred", ctx), MASTER);
});

Deno.test('_chooseReader() "any" reads from the master and the replicas', () => {
  const counts = tally(SHARD, "any", context());
  for (const n of [MASTER, R1, R2]) assert.ok((counts.get(n.address) ?? 0) > 50, n.address);
});

Deno.test('_chooseReader() "any" skips unusable replicas', () => {
  const counts = tally(SHARD, "any", context({ unusable: [R2] }));
  assert.equal(counts.get(R2.address), undefined);
  assert.ok((counts.get(MASTER.address) ?? 0) > 50);
  assert.ok((counts.get(R1.address) ?? 0) > 50);
});

Deno.test('_chooseReader() "any" uses the random source at both ends of [0, 1)', () => {
  assert.equal(_chooseReader(SHARD, "any", context({ random: () => 0 })), MASTER);
  assert.equal(_chooseReader(SHARD, "any", context({ random: () => 0.9999999 })), R2);
});

Deno.test('_chooseReader() "nearest" spreads reads inside the band, never far outside it', () => {
  const latency = { [MASTER.address]: 5, [R1.address]: 0.1, [R2.address]: 0.12 };
  const counts = tally(SHARD, "nearest", context({ latency }));
  assert.equal(counts.get(MASTER.address), undefined);
  assert.ok((counts.get(R1.address) ?? 0) > 50);
  assert.ok((counts.get(R2.address) ?? 0) > 50);
});

Deno.test('_chooseReader() "nearest" sticks to the one node clearly nearest', () => {
  const latency = { [MASTER.address]: 3, [R1.address]: 1, [R2.address]: 2 };
  const counts = tally(SHARD, "nearest", context({ latency }));
  assert.deepEqual([...counts], [[R1.address, 300]]);
});

Deno.test('_chooseReader() "nearest" ignores unmeasured nodes once any is measured', () => {
  const latency = { [R2.address]: 0.4 };
  const counts = tally(SHARD, "nearest", context({ latency }));
  assert.deepEqual([...counts], [[R2.address, 300]]);
});

Deno.test('_chooseReader() "nearest" spreads over every node before any is measured', () => {
  const counts = tally(SHARD, "nearest", context());
  for (const n of [MASTER, R1, R2]) assert.ok((counts.get(n.address) ?? 0) > 50, n.address);
});

Deno.test('_chooseReader() "nearest" skips an unusable replica however near', () => {
  const latency = { [MASTER.address]: 0.5, [R1.address]: 0.01, [R2.address]: 0.6 };
  const counts = tally(SHARD, "nearest", context({ latency, unusable: [R1] }));
  assert.equal(counts.get(R1.address), undefined);
  assert.ok((counts.get(MASTER.address) ?? 0) > 50);
  assert.ok((counts.get(R2.address) ?? 0) > 50);
});

Deno.test("_chooseReader() uses a function policy's choice", () => {
  const seen: unknown[] = [];
  const last: ReadFrom = (candidates) => {
    seen.push(candidates);
    return candidates.replicas.at(-1);
  };
  assert.equal(_chooseReader(SHARD, last, context()), R2);
  assert.deepEqual(seen, [SHARD]);
});

Deno.test("_chooseReader() reads from the master when a function policy returns undefined", () => {
  assert.equal(_chooseReader(SHARD, () => undefined, context()), MASTER);
  assert.equal(
    _chooseReader({ master: MASTER, replicas: [] }, (c) => c.replicas[0], context()),
    MASTER,
  );
});

// The executor marks a master unusable after LOADING or a lost connection; "nearest" must not
// return to it on every retry while a replica is usable.
Deno.test({
  name: '_chooseReader() "any" and "nearest" skip an unusable master while a replica is usable',
  fn: () => {
    const ctx = context({ unusable: [MASTER] });
    assert.equal(tally(SHARD, "any", ctx).get(MASTER.address), undefined);
    const latency = { [MASTER.address]: 0.1, [R1.address]: 2, [R2.address]: 2 };
    const near = tally(SHARD, "nearest", context({ latency, unusable: [MASTER] }));
    assert.equal(near.get(MASTER.address), undefined);
  },
});

Deno.test('_chooseReader() "any" and "nearest" fall back to the master when nothing is usable', () => {
  const ctx = context({ unusable: [MASTER, R1, R2] });
  assert.equal(_chooseReader(SHARD, "any", ctx), MASTER);
  assert.equal(_chooseReader(SHARD, "nearest", ctx), MASTER);
});

Deno.test("_chooseReader() with one replica per shard: each policy as with several", () => {
  const shard = { master: MASTER, replicas: [R1] };
  assert.deepEqual([...tally(shard, "replica", context())], [[R1.address, 300]]);
  assert.equal(_chooseReader(shard, "replica", context({ unusable: [R1] })), undefined);
  assert.equal(_chooseReader(shard, "replica-preferred", context({ unusable: [R1] })), MASTER);
  const any = tally(shard, "any", context());
  assert.ok(any.get(MASTER.address)! > 100 && any.get(R1.address)! > 100, JSON.stringify([...any]));
  assert.equal(_chooseReader(shard, "any", context({ random: () => 0 })), MASTER);
  assert.equal(_chooseReader(shard, "any", context({ random: () => 0.9999999 })), R1);
  assert.deepEqual([...tally(shard, "any", context({ unusable: [MASTER] }))], [[R1.address, 300]]);
  assert.deepEqual([...tally(shard, "any", context({ unusable: [R1] }))], [[MASTER.address, 300]]);
  assert.equal(_chooseReader(shard, "any", context({ unusable: [MASTER, R1] })), MASTER);
});
