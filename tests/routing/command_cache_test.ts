import assert from "node:assert/strict";
import { _CommandCache } from "../../src/routing/command_cache.ts";
import { keySlot } from "../../src/topology/slot.ts";
import type { RedisArgument, RedisReply } from "../../src/types.ts";

/** A cache whose COMMAND GETKEYS answers like the server (SORT: the key, and STORE's key). */
function cache(): { cache: _CommandCache; asked: string[] } {
  const asked: string[] = [];
  const enc = new TextEncoder();
  const send = (args: RedisArgument[]): Promise<RedisReply> => {
    asked.push(args.map(String).join(" "));
    const cmd = args.slice(2).map(String);
    const keys = [cmd[1]!];
    const store = cmd.findIndex((a) => a.toUpperCase() === "STORE");
    if (store !== -1) keys.push(cmd[store + 1]!);
    return Promise.resolve(keys.map((k) => enc.encode(k)));
  };
  return { cache: new _CommandCache(send), asked };
}

Deno.test("COMMAND GETKEYS is asked once per command shape, then the route is synchronous", async () => {
  const { cache: c, asked } = cache();
  const first = c.route(["SORT", "{a}list", "STORE", "{a}dst"]);
  assert.ok(first instanceof Promise);
  assert.equal((await first).slot, keySlot("{a}"));
  // Same shape (same non-key arguments), other keys: known at once.
  const again = c.route(["SORT", "{b}list", "STORE", "{b}dst"]);
  assert.ok(!(again instanceof Promise));
  assert.equal(again.slot, keySlot("{b}"));
  assert.equal(again.readOnly, false);
  assert.equal(asked.length, 1);
  // Another shape is asked about once too.
  assert.ok(c.route(["SORT", "{c}list", "LIMIT", 0, 5, "STORE", "{c}dst"]) instanceof Promise);
  assert.equal(asked.length, 2);
});

Deno.test("keySlots() gives the slot of every key, multi-key commands included", async () => {
  const { cache: c } = cache();
  assert.deepEqual(c.keySlots(["MSET", "a", "1", "b", "2"]), [keySlot("a"), keySlot("b")]);
  assert.deepEqual(c.keySlots(["GET", "k"]), [keySlot("k")]);
  assert.deepEqual(c.keySlots(["PING"]), []);
  assert.deepEqual(await c.keySlots(["SORT", "{x}l", "STORE", "{y}d"]), [
    keySlot("{x}"),
    keySlot("{y}"),
  ]);
});
