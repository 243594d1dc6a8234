/** Helpers for the typed command tests: build a method's command, apply its reply transform. */
import assert from "node:assert/strict";
import {
  type BuiltCommand,
  COMMAND_TABLE,
  type CommandMethodName,
} from "../../src/commands/command_table.ts";
import type { RedisReply } from "../../src/types.ts";

const enc = new TextEncoder();
/** UTF-8 bytes. */
export const b = (s: string): Uint8Array => enc.encode(s);

/** The command a typed method builds from `args`. */
export function build(name: CommandMethodName, ...args: unknown[]): BuiltCommand {
  const builder = COMMAND_TABLE.get(name);
  assert.ok(builder, `no builder for ${name}`);
  return builder(args);
}

/** The arguments a typed method sends. */
export function argsOf(name: CommandMethodName, ...args: unknown[]): unknown[] {
  return [...build(name, ...args).args];
}

/** Applies the reply transform the method would use (none: the reply as is). */
export function reply(name: CommandMethodName, args: unknown[], r: RedisReply): unknown {
  const { transform } = build(name, ...args);
  return transform ? transform(r) : r;
}

/** Asserts `fn` throws a TypeError whose message matches. */
export function throwsType(fn: () => unknown, message: RegExp): void {
  assert.throws(fn, (e: unknown) => e instanceof TypeError && message.test(e.message));
}
