import assert from "node:assert/strict";
import { fuzzDecoder } from "../_harness/resp_fuzz.ts";

Deno.test("random RESP2/RESP3 streams decode to the values they were written from, however chunked; mutated ones only to values or ProtocolError", () => {
  // A quick run from fixed seeds; `deno task fuzz` runs fresh seeds for as long as asked.
  for (const seed of [1, 2, 3]) {
    const f = fuzzDecoder(seed, 2000);
    assert.ok(f.values > 1000 && f.protocolErrors > 100, JSON.stringify(f));
  }
});
