import assert from "node:assert/strict";
import { _fillRuns, _slotRuns } from "../../src/topology/slot_runs.ts";
import { SLOT_COUNT } from "../../src/topology/slot.ts";
import { seededInts } from "../_harness/resp.ts";

Deno.test("_slotRuns() groups consecutive slots per key, and _fillRuns() gives them back", () => {
  const rand = seededInts(7);
  for (let round = 0; round < 20; round++) {
    // Random runs of keys "a", "b" and undefined.
    const keys: (string | undefined)[] = [];
    while (keys.length < SLOT_COUNT) {
      const k = ["a", "b", undefined][rand(3)];
      for (let n = 1 + rand(round % 2 === 0 ? 3 : 2000); n > 0 && keys.length < SLOT_COUNT; n--) {
        keys.push(k);
      }
    }
    const runs = _slotRuns((slot) => keys[slot]);
    for (const k of ["a", "b"]) {
      const table = new Uint8Array(SLOT_COUNT);
      _fillRuns(table, runs.get(k) ?? []);
      for (let s = 0; s < SLOT_COUNT; s++) assert.equal(table[s] === 1, keys[s] === k, `slot ${s}`);
    }
    assert.ok(![...runs.keys()].includes(undefined as unknown as string));
  }
  assert.deepEqual([..._slotRuns(() => "x")], [["x", [0, SLOT_COUNT - 1]]]);
});
