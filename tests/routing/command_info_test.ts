import assert from "node:assert/strict";
import {
  BUILTIN_COMMANDS,
  type CommandSpec,
  parseCommandInfo,
} from "../../src/routing/command_info.ts";
import { isReadOnly, keyIndexes, resolveSpec } from "../../src/routing/key_specs.ts";
import { ProtocolError } from "../../src/errors.ts";
import type { RedisArgument, RedisReply } from "../../src/types.ts";
import { startStandalone } from "../_harness/standalone.ts";
import { SEED_COMMANDS } from "../../tools/gen_builtin_commands.ts";

const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);

function builtin(name: string): CommandSpec {
  const spec = BUILTIN_COMMANDS.get(name.toLowerCase());
  assert.ok(spec, `${name} is in BUILTIN_COMMANDS`);
  return spec;
}

/** keyIndexes() for a builtin command; `args[0]` names the command. */
function keysOf(...args: [string, ...RedisArgument[]]): number[] | undefined {
  return keyIndexes(builtin(args[0]), args);
}

/** A Redis 6 style entry (no key specs) or a synthetic Redis 7 one with the given key specs. */
function entry(name: string, flags: string[], legacy: number[], specs: RedisReply[] = []) {
  return [name, -2, flags, ...legacy, [], [], specs, []];
}

function keySpec(flags: string[], begin: RedisReply[], find: RedisReply[]): RedisReply[] {
  return ["flags", flags, "begin_search", begin, "find_keys", find];
}

function one(reply: RedisReply): CommandSpec {
  const [spec] = parseCommandInfo(reply).values();
  assert.ok(spec);
  return spec;
}

Deno.test("keyIndexes() finds fixed and stepped key ranges", () => {
  assert.deepEqual(keysOf("GET", "k"), [1]);
  assert.deepEqual(keysOf("SET", "k", "v", "EX", 10, "GET"), [1]);
  assert.deepEqual(keysOf("MSET", "a", 1, "b", 2, "c", 3), [1, 3, 5]);
  assert.deepEqual(keysOf("MGET", "a", "b", "c"), [1, 2, 3]);
  assert.deepEqual(keysOf("DEL", "a", "b"), [1, 2]);
  assert.deepEqual(keysOf("BITOP", "AND", "dest", "a", "b"), [2, 3, 4]);
  assert.deepEqual(keysOf("BLPOP", "a", "b", 0), [1, 2]);
  assert.deepEqual(keysOf("SPUBLISH", "channel", "msg"), [1], "shard channels route by slot");
});

Deno.test("keyIndexes() reads key counts of EVAL, FCALL, ZUNIONSTORE and LMPOP", () => {
  assert.deepEqual(keysOf("EVAL", "return 1", 0), []);
  assert.deepEqual(keysOf("EVAL", "return 1", 0, "arg"), []);
  assert.deepEqual(keysOf("EVAL", "return 1", 2, "a", "b", "arg"), [3, 4]);
  assert.deepEqual(keysOf("EVALSHA", "abc", 2n, "a", "b"), [3, 4]);
  assert.deepEqual(keysOf("FCALL_RO", "f", bytes("1"), "a", "arg"), [3]);
  assert.deepEqual(keysOf("ZUNIONSTORE", "dest", 2, "a", "b", "WEIGHTS", 1, 2), [1, 3, 4]);
  assert.deepEqual(keysOf("LMPOP", 2, "a", "b", "LEFT", "COUNT", 3), [2, 3]);
  assert.deepEqual(keysOf("BLMPOP", 0, 2, "a", "b", "LEFT"), [3, 4]);
});

Deno.test("keyIndexes() finds keys after a keyword, case-insensitively, in strings or bytes", () => {
  assert.deepEqual(keysOf("XREAD", "COUNT", 1, "STREAMS", "a", "b", 0, 0), [4, 5]);
  assert.deepEqual(keysOf("XREAD", "streams", "a", "$"), [2]);
  assert.deepEqual(keysOf("XREAD", "BLOCK", 0, bytes("StReAmS"), "a", "b", "0", "0"), [4, 5]);
  assert.deepEqual(
    keysOf("XREADGROUP", "GROUP", "g", "c", "COUNT", 1, "STREAMS", "a", "b", ">", ">"),
    [7, 8],
  );
  // U+212A KELVIN SIGN lower-cases to "k" in Unicode, but the server compares ASCII only.
  assert.deepEqual(keysOf("XREAD", "STREAMS", "\u212Aeys", "0"), [2]);
  assert.deepEqual(keysOf("XREAD", "COUNT", 1, "\u212ASTREAMS", "a", "0"), []);
});

Deno.test("keyIndexes() resolves subcommands of container commands", () => {
  assert.equal(resolveSpec(builtin("object"), ["object", "encoding", "k"]).name, "object|encoding");
  assert.deepEqual(keysOf("OBJECT", "ENCODING", "k"), [2]);
  assert.deepEqual(keysOf("OBJECT", bytes("freq"), "k"), [2]);
  assert.deepEqual(keysOf("XINFO", "STREAM", "k", "FULL"), [2]);
  assert.deepEqual(keysOf("XGROUP", "CREATE", "k", "g", "$"), [2]);
  assert.deepEqual(keysOf("CLUSTER", "SLOTS"), []);
  assert.deepEqual(keysOf("OBJECT"), [], "the server rejects a bare container anyway");
  assert.equal(keysOf("OBJECT", "NEWSUB", "k"), undefined, "unknown subcommand: ask GETKEYS");
  assert.equal(resolveSpec(builtin("object"), ["OBJECT", "NEWSUB"]), builtin("object"));
  assert.equal(resolveSpec(builtin("get"), ["GET", "encoding"]), builtin("get"));
});

Deno.test("keyIndexes() defers to COMMAND GETKEYS for incomplete or unknown key specs", () => {
  assert.equal(keysOf("SORT", "k"), undefined);
  assert.equal(keysOf("SORT", "k", "BY", "w_*", "STORE", "dest"), undefined);
  assert.equal(keysOf("SORT_RO", "k", "ALPHA"), undefined);
  assert.equal(keysOf("MIGRATE", "127.0.0.1", 7000, "k", 0, 5000), undefined);
  assert.equal(
    keysOf("MIGRATE", "127.0.0.1", 7000, "", 0, 5000, "COPY", "KEYS", "a", "b"),
    undefined,
  );
});

Deno.test("keyIndexes() never throws on short or malformed argument lists", () => {
  assert.deepEqual(keysOf("GET"), []);
  assert.deepEqual(keysOf("MSET", "a"), [1]);
  assert.deepEqual(keysOf("EVAL"), []);
  assert.deepEqual(keysOf("EVAL", "return 1"), []);
  assert.deepEqual(keysOf("EVAL", "return 1", 3, "a"), [3], "more keys declared than sent");
  for (const bad of ["x", "-1", "01", "1.5", "", "99999999999999999999"]) {
    assert.deepEqual(keysOf("EVAL", "return 1", bad, "a"), [], `numkeys ${JSON.stringify(bad)}`);
  }
  assert.deepEqual(keysOf("XREAD", "STREAMS"), []);
  assert.deepEqual(keysOf("XREAD", "COUNT", 1), []);
  assert.deepEqual(keysOf("ZUNIONSTORE"), []);
  assert.deepEqual(keysOf("XINFO"), []);
});

Deno.test("keyIndexes() falls back to the legacy key range without key specs", () => {
  const mset = one([entry("mset", ["write"], [1, -1, 2])]);
  assert.deepEqual(keyIndexes(mset, ["MSET", "a", 1, "b", 2]), [1, 3]);
  const get = one([entry("get", ["readonly"], [1, 1, 1])]);
  assert.deepEqual(keyIndexes(get, ["GET", "k"]), [1]);
  assert.deepEqual(keyIndexes(one([entry("ping", [], [0, 0, 0])]), ["PING"]), []);
  const evalV6 = one([entry("eval", ["noscript", "movablekeys"], [0, 0, 0])]);
  assert.equal(keyIndexes(evalV6, ["EVAL", "s", 1, "k"]), undefined);
});

Deno.test("keyIndexes() evaluates generic key specs, as module commands declare them", () => {
  const index = (i: number): RedisReply[] => ["type", "index", "spec", ["index", i]];
  const range = (last: number, step: number, limit: number): RedisReply[] => [
    "type",
    "range",
    "spec",
    ["lastkey", last, "keystep", step, "limit", limit],
  ];
  const unknown: RedisReply[] = ["type", "unknown", "spec", []];
  const withSpecs = (...specs: RedisReply[]) => one([entry("m.cmd", [], [0, 0, 0], specs)]);
  const args = ["M.CMD", "a", "b", "KEYS", "c", "d", "e"];

  const variable = withSpecs(keySpec(["RW", "variable_flags"], index(1), range(0, 1, 0)));
  assert.deepEqual(keyIndexes(variable, args), [1], "VARIABLE_FLAGS keeps positions");
  const incomplete = withSpecs(keySpec(["RW", "incomplete"], index(1), range(0, 1, 0)));
  assert.equal(keyIndexes(incomplete, args), undefined);
  assert.equal(keyIndexes(withSpecs(keySpec(["RO"], unknown, range(0, 1, 0))), args), undefined);
  assert.equal(keyIndexes(withSpecs(keySpec(["RO"], index(1), unknown)), args), undefined);
  const backward = ["type", "keyword", "spec", ["keyword", "keys", "startfrom", -2]];
  assert.deepEqual(keyIndexes(withSpecs(keySpec(["RW"], backward, range(-1, 1, 0))), args), [
    4,
    5,
    6,
  ]);
  assert.deepEqual(keyIndexes(withSpecs(keySpec(["RW"], index(1), range(-1, 2, 0))), args), [
    1,
    3,
    5,
  ]);
  const everyOther = withSpecs(keySpec(["RW"], index(2), range(-1, 1, 2)));
  assert.deepEqual(keyIndexes(everyOther, args), [2, 3]);
  const zeroStep = withSpecs(keySpec(["RW"], index(1), range(-1, 0, 0)));
  assert.equal(keyIndexes(zeroStep, args), undefined, "malformed step is not looped on");
  const twoSpecs = withSpecs(
    keySpec(["RW"], index(1), range(1, 1, 0)),
    keySpec(["RO"], index(2), range(0, 1, 0)),
  );
  assert.deepEqual(keyIndexes(twoSpecs, args), [1, 2], "overlapping specs are merged");
});

Deno.test("isReadOnly() admits only reads the server marks readonly and non-blocking", () => {
  for (const name of ["GET", "MGET", "HGETALL", "EVAL_RO", "EVALSHA_RO", "FCALL_RO", "XRANGE"]) {
    assert.equal(isReadOnly(builtin(name)), true, name);
  }
  for (const name of ["SCAN", "ZRANGE", "BITFIELD_RO", "SORT_RO", "PFCOUNT", "KEYS", "DBSIZE"]) {
    assert.equal(isReadOnly(builtin(name)), true, name);
  }
  for (const name of ["SET", "INCR", "DEL", "EVAL", "FCALL", "BLPOP", "XREADGROUP", "FLUSHALL"]) {
    assert.equal(isReadOnly(builtin(name)), false, name);
  }
  for (const name of ["PUBLISH", "SPUBLISH", "SUBSCRIBE", "WAIT", "MULTI", "OBJECT"]) {
    assert.equal(isReadOnly(builtin(name)), false, name);
  }
  // XREAD is flagged blocking because of its BLOCK option: kept on the master.
  assert.equal(isReadOnly(builtin("XREAD")), false);
  assert.equal(isReadOnly(resolveSpec(builtin("XINFO"), ["XINFO", "STREAM", "k"])), true);
  assert.equal(isReadOnly(resolveSpec(builtin("OBJECT"), ["OBJECT", "ENCODING", "k"])), true);
  assert.equal(isReadOnly(undefined), false);
  assert.equal(isReadOnly(one([entry("x", ["readonly", "admin"], [0, 0, 0])])), false);
});

Deno.test("parseCommandInfo() reads RESP3 maps and sets, bytes, skips nulls, rejects non-lists", () => {
  const resp2 = parseCommandInfo([
    null,
    ["GET", 2, ["readonly", "fast"], 1, 1, 1, ["@read"], [], [
      keySpec(["RO", "access"], ["type", "index", "spec", ["index", 1]], [
        "type",
        "range",
        "spec",
        ["lastkey", 0, "keystep", 1, "limit", 0],
      ]),
    ], []],
  ]);
  const map = (...kv: RedisReply[]) => {
    const m = new Map<RedisReply, RedisReply>();
    for (let i = 0; i < kv.length; i += 2) m.set(kv[i] ?? null, kv[i + 1] ?? null);
    return m;
  };
  const resp3 = parseCommandInfo([
    [bytes("get"), 2, new Set(["readonly", "fast"]), 1, 1, 1, new Set(["@read"]), new Set(), [
      map(
        "flags",
        new Set([bytes("RO"), "access"]),
        "begin_search",
        map("type", "index", "spec", map("index", 1n)),
        "find_keys",
        map("type", "range", "spec", map("lastkey", 0, "keystep", 1, "limit", 0)),
      ),
    ], new Set()],
  ]);
  assert.deepEqual(resp3, resp2);
  assert.deepEqual([...resp2.keys()], ["get"]);
  assert.deepEqual(resp2.get("get"), BUILTIN_COMMANDS.get("get"));
  assert.throws(() => parseCommandInfo([["noarity"]]), ProtocolError);
  assert.throws(() => parseCommandInfo(null), ProtocolError);
  assert.throws(() => parseCommandInfo(new Error("ERR unknown")), /ERR unknown/);
  assert.deepEqual(parseCommandInfo([null]), new Map());
});

type Case = [string, ...RedisArgument[]];

const GETKEYS_CASES: readonly Case[] = [
  ["GET", "k1"],
  ["SET", "k1", "v", "EX", 100, "GET"],
  ["MSET", "k1", "v", "k2", "v"],
  ["MGET", "k1", "k2", "k3"],
  ["DEL", "k1", "k2"],
  ["EXISTS", "k1", "k2"],
  ["TOUCH", "k1", "k2"],
  ["RENAME", "k1", "k2"],
  ["COPY", "k1", "k2", "DB", 0, "REPLACE"],
  ["HSET", "k1", "f", "v", "f2", "v2"],
  ["LMOVE", "k1", "k2", "LEFT", "RIGHT"],
  ["BLPOP", "k1", "k2", 0],
  ["PFMERGE", "k1", "k2", "k3"],
  ["XADD", "k1", "*", "f", "v"],
  ["BITOP", "AND", "k1", "k2", "k3"],
  ["BITFIELD", "k1", "GET", "u8", 0],
  ["EVAL", "return 1", 0],
  ["EVAL", "return 1", 2, "k1", "k2", "a1", "a2"],
  ["EVALSHA", "e0e1f9fabfc9d4800c877a703b823ac0578ff8db", 1, "k1", "a1"],
  ["EVAL_RO", "return 1", 1, "k1"],
  ["FCALL", "f", 2, "k1", "k2", "a1"],
  ["FCALL_RO", "f", 1, "k1"],
  ["XREAD", "COUNT", 2, "STREAMS", "k1", "k2", 0, 0],
  ["XREAD", "BLOCK", 0, "streams", "k1", "$"],
  ["XREADGROUP", "GROUP", "g", "c", "COUNT", 1, "NOACK", "STREAMS", "k1", "k2", ">", ">"],
  ["ZUNIONSTORE", "k1", 2, "k2", "k3", "WEIGHTS", 1, 2],
  ["ZINTER", 2, "k1", "k2", "WITHSCORES"],
  ["ZDIFFSTORE", "k1", 2, "k2", "k3"],
  ["SINTERCARD", 2, "k1", "k2", "LIMIT", 1],
  ["LMPOP", 2, "k1", "k2", "LEFT", "COUNT", 2],
  ["BLMPOP", 0, 2, "k1", "k2", "RIGHT"],
  ["BZMPOP", 1, 1, "k1", "MIN"],
  ["ZMPOP", 1, "k1", "MAX"],
  ["GEOSEARCHSTORE", "k1", "k2", "FROMLONLAT", 0, 0, "BYRADIUS", 1, "km"],
  ["OBJECT", "ENCODING", "k1"],
  ["XINFO", "STREAM", "k1", "FULL"],
  ["XGROUP", "CREATE", "k1", "g", "$", "MKSTREAM"],
  ["SORT", "k1"],
  ["SORT", "k1", "BY", "w_*", "GET", "o_*", "STORE", "k2"],
  ["SORT_RO", "k1", "ALPHA"],
  ["MIGRATE", "127.0.0.1", 1, "k1", 0, 100],
  ["MIGRATE", "127.0.0.1", 1, "", 0, 100, "COPY", "KEYS", "k1", "k2"],
  ["PING", "hello"],
  ["SCAN", 0, "MATCH", "k*"],
  ["CLUSTER", "KEYSLOT", "k1"],
];

/** Argument tails shaped like many commands' syntax (counts, keywords, stores, key lists). */
const SWEEP_TAILS: readonly string[][] = [
  [],
  ["k1"],
  ["k1", "k2"],
  ["k1", "k2", "k3"],
  ["1", "k1"],
  ["2", "k1", "k2"],
  ["k1", "1", "k2"],
  ["k1", "2", "k2", "k3", "x"],
  ["0", "1", "k1"],
  ["STREAMS", "k1", "0"],
  ["GROUP", "g", "c", "STREAMS", "k1", "0"],
  ["k1", "v", "k2", "v"],
  ["h", "p", "k1", "0", "5"],
  ["k1", "k2", "FROMLONLAT", "0", "0", "BYRADIUS", "1", "km", "STORE", "k3"],
  ["k1", "m", "1", "km", "STOREDIST", "k2"],
  ["s", "2", "k1", "k2", "a"],
];

type Send = (...args: RedisArgument[]) => Promise<RedisReply>;

/**
 * What routing reads of each built-in command and subcommand: where the keys are (key specs
 * without their access flags), read-only, blocking. Servers since 7.2 flag WAIT blocking; the
 * client sends WAIT only on the connection of the write it waits for.
 */
function routing(
  specs: ReadonlyMap<string, CommandSpec>,
  only: ReadonlyMap<string, CommandSpec> = specs,
): Map<string, unknown> {
  const ROUTING_FLAGS = ["NOT_KEY", "INCOMPLETE", "VARIABLE_FLAGS"];
  const out = new Map<string, unknown>();
  for (const [name, spec] of specs) {
    const wanted = only.get(name);
    if (wanted === undefined) continue;
    for (const [sub, s] of [["", spec] as const, ...spec.subcommands]) {
      if (sub !== "" && !wanted.subcommands.has(sub)) continue;
      out.set(s.name, {
        keys: s.keySpecs.map((k) => ({
          beginSearch: k.beginSearch,
          findKeys: k.findKeys,
          flags: [...k.flags].filter((f) => ROUTING_FLAGS.includes(f)),
        })),
        readOnly: isReadOnly(s),
        blocking: s.name !== "wait" && s.flags.has("blocking"),
      });
    }
  }
  return out;
}

/**
 * COMMAND GETKEYS as sorted key names: `[]` for its "no key arguments" error, `undefined` for
 * other errors (the server finds the arguments invalid).
 */
async function getKeys(send: Send, args: Case): Promise<string[] | undefined> {
  const reply = await send("COMMAND", "GETKEYS", ...args);
  if (reply instanceof Error) return /no key arguments/.test(reply.message) ? [] : undefined;
  assert.ok(Array.isArray(reply), `GETKEYS ${args.join(" ")}: ${String(reply)}`);
  return reply.map(String).sort();
}

function names(positions: number[], args: Case): string[] {
  return positions.map((i) => String(args[i])).sort();
}

Deno.test("command metadata agrees with a live redis-server", async (t) => {
  const server = await startStandalone();
  try {
    await t.step(
      "BUILTIN_COMMANDS routes every seed command as the live server describes it",
      async () => {
        const live = parseCommandInfo(await server.command("COMMAND", "INFO", ...SEED_COMMANDS));
        const info = String(await server.command("INFO", "server"));
        const version = /redis_version:(\S+)/.exec(info)?.[1];
        const generated = /from redis-server (\S+)\./.exec(
          await Deno.readTextFile(
            new URL("../../src/routing/_builtin_commands.ts", import.meta.url),
          ),
        )?.[1];
        // The server the table was generated from must agree to the letter; others (7.2, 7.4,
        // Valkey) may add flags and tips, but keys, read-only-ness and blocking must match.
        if (version === generated) assert.deepEqual(BUILTIN_COMMANDS, live);
        else assert.deepEqual(routing(live, BUILTIN_COMMANDS), routing(BUILTIN_COMMANDS));
      },
    );

    await t.step("keyIndexes() matches COMMAND GETKEYS or defers to it", async () => {
      const deferred: string[] = [];
      for (const args of GETKEYS_CASES) {
        const expected = await getKeys(server.command, args);
        assert.ok(expected, `GETKEYS accepts ${args.join(" ")}`);
        const ours = keysOf(...args);
        if (ours === undefined) deferred.push(args[0]);
        else assert.deepEqual(names(ours, args), expected, args.join(" "));
      }
      assert.deepEqual(deferred, ["SORT", "SORT", "SORT_RO", "MIGRATE", "MIGRATE"]);
    });

    await t.step("keyIndexes() counts shard channels that GETKEYS leaves out", async () => {
      assert.deepEqual(await getKeys(server.command, ["SPUBLISH", "ch", "msg"]), []);
      assert.deepEqual(keysOf("SPUBLISH", "ch", "msg"), [1]);
    });

    const all = parseCommandInfo(await server.command("COMMAND"));
    await t.step("keyIndexes() agrees with GETKEYS for every command of the server", async () => {
      let compared = 0;
      for (const spec of all.values()) {
        for (const s of spec.subcommands.size > 0 ? spec.subcommands.values() : [spec]) {
          const shardChannels = s.keySpecs.some((ks) => ks.flags.has("NOT_KEY"));
          const [command = "", ...sub] = s.name.split("|");
          for (const tail of SWEEP_TAILS) {
            const args: Case = [command, ...sub, ...tail];
            const ours = keyIndexes(spec, args);
            const inBounds = (i: number, n: number, found: number[]): boolean =>
              i >= 1 && i < args.length && i > (found[n - 1] ?? 0);
            assert.ok(ours?.every(inBounds) ?? true, args.join(" "));
            if (ours === undefined || shardChannels) continue;
            const expected = await getKeys(server.command, args);
            if (expected === undefined) continue;
            assert.deepEqual(names(ours, args), expected, args.join(" "));
            compared++;
          }
        }
      }
      assert.ok(compared > 3000, `compared only ${compared} argument lists`);
    });

    await t.step("RESP3 replies parse like RESP2 replies", async () => {
      await server.command("HELLO", 3);
      const resp3 = await server.command("COMMAND");
      assert.ok(Array.isArray(resp3) && resp3.some((e) => Array.isArray(e) && e[2] instanceof Set));
      assert.deepEqual(parseCommandInfo(resp3), all);
    });
  } finally {
    await server.close();
  }
});
