import assert from "node:assert/strict";
import { _backoffMs } from "../../src/transport/backoff.ts";

Deno.test("_backoffMs() stays within [ceiling/2, ceiling] of a doubling, capped ceiling", () => {
  const base = 20;
  const cap = 1000;
  for (let attempt = 0; attempt < 40; attempt++) {
    const ceiling = Math.min(cap, base * 2 ** attempt);
    for (const r of [0, 0.25, 0.5, 0.999999]) {
      const ms = _backoffMs(attempt, base, cap, () => r);
      assert.ok(ms >= ceiling / 2 && ms <= ceiling, `attempt ${attempt}, random ${r}: ${ms}`);
    }
  }
  assert.equal(_backoffMs(0, base, cap, () => 0), 10);
  assert.equal(_backoffMs(2, base, cap, () => 0), 40);
});

Deno.test("_backoffMs() never exceeds the cap, however many attempts", () => {
  for (const attempt of [6, 10, 100, 2000]) {
    const ms = _backoffMs(attempt, 20, 1000, () => 0.999999);
    assert.ok(Number.isFinite(ms) && ms <= 1000 && ms >= 500, `attempt ${attempt}: ${ms}`);
  }
});
