import assert from "node:assert/strict";
import { _merge, _split } from "../../src/routing/multi_key.ts";
import { RedisError } from "../../src/errors.ts";
import { keySlot } from "../../src/topology/slot.ts";

// keySlot("foo") = 12182, keySlot("bar") = 5061: two slots; "{foo}..." shares foo's slot.

Deno.test("_split() splits MGET per slot, keeping each key's caller position", () => {
  const parts = _split("mget", ["MGET", "foo", "bar", "{foo}x"])!;
  assert.deepEqual(parts, [
    { slot: keySlot("foo"), args: ["MGET", "foo", "{foo}x"], positions: [0, 2] },
    { slot: keySlot("bar"), args: ["MGET", "bar"], positions: [1] },
  ]);
});

Deno.test("_merge() puts MGET values back in caller order, nulls included", () => {
  const args = ["MGET", "foo", "bar", "{foo}x", "{bar}y"];
  const parts = _split("mget", args)!;
  assert.deepEqual(_merge("mget", parts, [["F", null], [null, "Y"]]), ["F", null, null, "Y"]);
});

Deno.test("_merge() keeps MGET values of a repeated key at every position", () => {
  const parts = _split("mget", ["MGET", "foo", "bar", "foo"])!;
  assert.deepEqual(parts[0]!.args, ["MGET", "foo", "foo"]);
  assert.deepEqual(_merge("mget", parts, [["f1", "f2"], ["b"]]), ["f1", "b", "f2"]);
});

Deno.test("_merge() fills nulls for MGET parts with a missing or short reply", () => {
  const parts = _split("mget", ["MGET", "foo", "bar", "{foo}x"])!;
  assert.deepEqual(_merge("mget", parts, [["F"], "unexpected"]), ["F", null, null]);
});

Deno.test("_split() keeps MSET key/value pairs together", () => {
  const parts = _split("mset", ["MSET", "foo", "1", "bar", 2, "{foo}z", new Uint8Array([3])])!;
  assert.deepEqual(parts, [
    {
      slot: keySlot("foo"),
      args: ["MSET", "foo", "1", "{foo}z", new Uint8Array([3])],
      positions: [0, 2],
    },
    { slot: keySlot("bar"), args: ["MSET", "bar", 2], positions: [1] },
  ]);
  assert.equal(_merge("mset", parts, ["OK", "OK"]), "OK");
});

Deno.test("_merge() sums DEL, UNLINK, EXISTS and TOUCH counts", () => {
  for (const name of ["del", "unlink", "exists", "touch"]) {
    const parts = _split(name, [name.toUpperCase(), "foo", "bar", "{foo}x"])!;
    assert.equal(parts.length, 2, name);
    assert.equal(_merge(name, parts, [2, 1]), 3, name);
    assert.equal(_merge(name, parts, [0, 0]), 0, name);
  }
});

Deno.test("_split() hashes byte and number keys like the server does", () => {
  const parts = _split("del", ["DEL", new TextEncoder().encode("foo"), 42, "foo"])!;
  assert.deepEqual(parts.map((p) => p.slot), [keySlot("foo"), keySlot("42")]);
  assert.deepEqual(parts[0]!.positions, [0, 2]);
});

Deno.test("_split() leaves a command whose keys share one slot unsplit", () => {
  assert.equal(_split("mget", ["MGET", "{user1}a", "{user1}b", "{user1}c"]), undefined);
  assert.equal(_split("mset", ["MSET", "foo", "1", "{foo}bar", "2"]), undefined);
  assert.equal(_split("del", ["DEL", "foo"]), undefined);
});

Deno.test("_split() leaves malformed or unsplittable commands to the server", () => {
  // Odd MSET arity: the server rejects it with its own error.
  assert.equal(_split("mset", ["MSET", "foo", "1", "bar"]), undefined);
  assert.equal(_split("mget", ["MGET"]), undefined);
  assert.equal(_split("mset", ["MSET"]), undefined);
  assert.equal(_split("get", ["GET", "foo"]), undefined);
  assert.equal(_split("sunion", ["SUNION", "foo", "bar"]), undefined);
});

Deno.test("_merge() returns the first error among the parts", () => {
  const parts = _split("mget", ["MGET", "foo", "bar", "baz"])!;
  assert.equal(parts.length, 3);
  const first = new RedisError("CLUSTERDOWN The cluster is down");
  const second = new RedisError("ERR second");
  assert.equal(_merge("mget", parts, [["F"], first, second]), first);
  assert.equal(_merge("del", parts.slice(0, 2), [1, second]), second);
  assert.equal(_merge("mset", parts.slice(0, 2), [first, second]), first);
});
