/**
 * Keyless commands that concern the whole cluster: sent to every master (or every node) and
 * their replies combined.
 * @module
 */
import { RedisError } from "../errors.ts";
import { _lowerWord } from "./command_name.ts";
import type { RedisArgument, RedisReply } from "../types.ts";

/** Which nodes a fan-out command goes to and how replies combine. */
export interface _FanOut {
  readonly to: "masters" | "all";
  readonly merge: "sum" | "concat" | "first" | "and";
}

const TABLE: ReadonlyMap<string, _FanOut> = new Map([
  ["dbsize", { to: "masters", merge: "sum" }],
  ["flushall", { to: "masters", merge: "first" }],
  ["flushdb", { to: "masters", merge: "first" }],
  ["keys", { to: "masters", merge: "concat" }],
  ["ping", { to: "masters", merge: "first" }],
  // Replicas too: EVALSHA_RO may run there.
  ["script|load", { to: "all", merge: "first" }],
  ["script|flush", { to: "all", merge: "first" }],
  ["script|exists", { to: "masters", merge: "and" }],
  ["function|load", { to: "masters", merge: "first" }],
  ["function|flush", { to: "masters", merge: "first" }],
  ["function|delete", { to: "masters", merge: "first" }],
]);

/** Containers whose subcommands may fan out; checked first so GET costs one lookup. */
const CONTAINERS: ReadonlySet<string> = new Set(["script", "function"]);

/** The fan-out rule of a command named `name` (lower case), if it has one. */
export function _fanOutRule(name: string, args: readonly RedisArgument[]): _FanOut | undefined {
  if (!CONTAINERS.has(name)) return TABLE.get(name);
  return args.length > 1 ? TABLE.get(`${name}|${_lowerWord(args[1])}`) : undefined;
}

/** Combines the per-node replies; the first error wins. */
export function _combine(rule: _FanOut, replies: readonly RedisReply[]): RedisReply {
  const error = replies.find((r) => r instanceof RedisError);
  if (error !== undefined) return error;
  switch (rule.merge) {
    case "sum":
      return replies.reduce<number>((n, r) => n + Number(r), 0);
    case "concat":
      return replies.flatMap((r) => (Array.isArray(r) ? r : []));
    case "and": {
      const lists = replies.map((r) => (Array.isArray(r) ? r : []));
      return (lists[0] ?? []).map((_, i) => lists.every((l) => Number(l[i]) === 1) ? 1 : 0);
    }
    case "first":
      return replies[0] ?? null;
  }
}
