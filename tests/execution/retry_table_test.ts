import { SAMPLES } from "../_harness/error_samples.ts";
import assert from "node:assert/strict";
import { _RETRY_TABLE } from "../../src/execution/retry_table.ts";
import { RedisError } from "../../src/errors.ts";

// What each action does is tested from the servers' side: tests/faults/retry_actions_test.ts.
Deno.test("_RETRY_TABLE gives every error kind its action", () => {
  assert.deepEqual(Object.keys(_RETRY_TABLE).sort(), Object.keys(SAMPLES).sort());
  for (const message of Object.values(SAMPLES)) {
    assert.ok(_RETRY_TABLE[new RedisError(message).kind] !== undefined, message);
  }
});
