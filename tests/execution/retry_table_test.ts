import { SAMPLES } from "../_harness/error_samples.ts";
import assert from "node:assert/strict";
import { _RETRY_TABLE } from "../../src/execution/retry_table.ts";
import { RedisError, type RedisErrorKind } from "../../src/errors.ts";

Deno.test("_RETRY_TABLE gives every error kind its action", () => {
  assert.deepEqual(Object.keys(_RETRY_TABLE).sort(), Object.keys(SAMPLES).sort());
  for (const message of Object.values(SAMPLES)) {
    assert.ok(_RETRY_TABLE[new RedisError(message).kind] !== undefined, message);
  }
});

Deno.test("_RETRY_TABLE follows redirects, waits out transient states and fails caller errors", () => {
  const actions = (kinds: readonly RedisErrorKind[]) => kinds.map((k) => _RETRY_TABLE[k]);
  assert.deepEqual(actions(["MOVED", "ASK", "TRYAGAIN"]), ["moved", "ask", "backoff"]);
  // The topology changed under us: refresh the map, then retry.
  assert.deepEqual(actions(["CLUSTERDOWN", "MASTERDOWN", "READONLY"]), Array(3).fill("refresh"));
  // A loading replica cannot serve, but another node of the shard can.
  assert.equal(_RETRY_TABLE.LOADING, "elsewhere");
  // Retrying these would give the same answer or run a script twice.
  assert.deepEqual(actions(["CROSSSLOT", "NOSCRIPT", "BUSY", "OTHER"]), Array(4).fill("fail"));
});
