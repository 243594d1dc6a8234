import assert from "node:assert/strict";
import { _applyNatMap, type NatMap } from "../../src/topology/nat_map.ts";

Deno.test("_applyNatMap() looks IPv6 hosts up by their bracketed address", () => {
  const nat: NatMap = { "[fd00::5]:6379": { host: "::1", port: 7000 } };
  assert.deepEqual(_applyNatMap(nat, "fd00::5", 6379), { host: "::1", port: 7000 });
  assert.deepEqual(_applyNatMap(nat, "fd00::6", 6379), { host: "fd00::6", port: 6379 });
  assert.deepEqual(_applyNatMap(undefined, "h", 1), { host: "h", port: 1 });
});
