/**
 * Command metadata as the server describes it: seeded from a built-in table, completed lazily
 * with `COMMAND INFO name`, and `COMMAND GETKEYS` for key layouts the metadata cannot express.
 * @module
 */
import { BUILTIN_COMMANDS, parseCommandInfo } from "./command_info.ts";
import { isReadOnly, keyIndexes, resolveSpec } from "./key_specs.ts";
import type { CommandSpec } from "./command_info.ts";
import { keySlot } from "../topology/slot.ts";
import { _KeyShapes } from "./key_shapes.ts";
import { _commandName } from "./command_name.ts";
import { RedisError } from "../errors.ts";
import type { RedisArgument, RedisKey, RedisReply } from "../types.ts";

/** Where a command goes: the slot of its keys (none for keyless) and whether it only reads. */
export interface _Route {
  readonly slot: number | undefined;
  readonly readOnly: boolean;
  /** The server flags it `blocking`: it must not hold up the node's shared connection. */
  readonly blocking?: boolean;
}

/** Sends a metadata query to some master; `decode` asks for string bulk replies. */
export type _MetaSend = (args: RedisArgument[], decode: boolean) => Promise<RedisReply>;

const KEYLESS_WRITE: _Route = { slot: undefined, readOnly: false };

/** What routing needs of a spec, worked out once per spec instead of once per command. */
interface _RoutePlan {
  readonly readOnly: boolean;
  readonly blocking: boolean;
  /** Position of the only key when every call has it there (GET, SET, HGET...); else -1. */
  readonly keyAt: number;
  /** The route of every call, for commands that never have keys (PUBLISH, INFO...). */
  readonly keyless: _Route | undefined;
}

/** Per-client cache of command specs. */
export class _CommandCache {
  #specs = new Map<string, CommandSpec | null>(BUILTIN_COMMANDS);
  #loading = new Map<string, Promise<CommandSpec | null>>();
  #plans = new WeakMap<CommandSpec, _RoutePlan>();
  #shapes = new _KeyShapes();
  #send: _MetaSend;

  constructor(send: _MetaSend) {
    this.#send = send;
  }

  /** The route of `args`; synchronous when the command's spec is known and keys are plain. */
  route(args: readonly RedisArgument[]): _Route | Promise<_Route> {
    const name = _commandName(args);
    const spec = this.#specs.get(name);
    if (spec === undefined) return this.#load(name).then((s) => this.#routeWith(s, args));
    if (spec !== null) {
      const plan = this.#plan(spec);
      if (plan.keyless !== undefined) return plan.keyless;
      const key = args[plan.keyAt];
      if (key !== undefined) {
        return { slot: keySlot(asKey(key)), readOnly: plan.readOnly, blocking: plan.blocking };
      }
    }
    return this.#routeWith(spec, args);
  }

  /**
   * The slots of every key of `args` (for a transaction's one-slot check); synchronous when
   * the spec is known and its keys can be found without asking the server.
   */
  keySlots(args: readonly RedisArgument[]): number[] | Promise<number[]> {
    const name = _commandName(args);
    const spec = this.#specs.get(name);
    if (spec === undefined) return this.#load(name).then(() => this.keySlots(args));
    if (spec === null) return [];
    const positions = keyIndexes(resolveSpec(spec, args), args) ??
      this.#shapes.positions(name, args);
    const slotsAt = (at: readonly number[]): number[] => at.map((i) => keySlot(asKey(args[i])));
    if (positions !== undefined) return slotsAt(positions);
    return this.#keyPositions(name, args).then(slotsAt);
  }

  /** Whether the server marks the command (or subcommand) read-only; unknown is false. */
  async isReadOnly(args: readonly RedisArgument[]): Promise<boolean> {
    const name = _commandName(args);
    const spec = this.#specs.get(name) ?? await this.#load(name);
    return spec !== null && isReadOnly(resolveSpec(spec, args));
  }

  #routeWith(spec: CommandSpec | null, args: readonly RedisArgument[]): _Route | Promise<_Route> {
    // Unknown to the server: let it answer "unknown command" from a master.
    if (spec === null) return KEYLESS_WRITE;
    const resolved = resolveSpec(spec, args);
    const readOnly = isReadOnly(resolved);
    const blocking = resolved.flags.has("blocking");
    const indexes = keyIndexes(resolved, args) ?? this.#shapes.positions(spec.name, args);
    if (indexes === undefined) {
      return this.#keyPositions(spec.name, args).then((at) => ({
        slot: at.length === 0 ? undefined : keySlot(asKey(args[at[0]!])),
        readOnly,
        blocking,
      }));
    }
    if (indexes.length === 0) {
      return readOnly || blocking ? { slot: undefined, readOnly, blocking } : KEYLESS_WRITE;
    }
    return { slot: keySlot(asKey(args[indexes[0]!])), readOnly, blocking };
  }

  #plan(spec: CommandSpec): _RoutePlan {
    let plan = this.#plans.get(spec);
    if (plan === undefined) {
      const readOnly = isReadOnly(spec);
      const blocking = spec.flags.has("blocking");
      const keyless = spec.keySpecs.length === 0 && spec.subcommands.size === 0 &&
        !spec.flags.has("movablekeys");
      plan = {
        readOnly,
        blocking,
        keyAt: _fixedSingleKey(spec),
        keyless: !keyless
          ? undefined
          : readOnly || blocking
          ? { slot: undefined, readOnly, blocking }
          : KEYLESS_WRITE,
      };
      this.#plans.set(spec, plan);
    }
    return plan;
  }

  #load(name: string): Promise<CommandSpec | null> {
    let p = this.#loading.get(name);
    if (!p) {
      p = this.#send(["COMMAND", "INFO", name], true).then((reply) => {
        if (reply instanceof RedisError) throw reply;
        const spec = parseCommandInfo(reply).get(name) ?? null;
        this.#specs.set(name, spec);
        return spec;
      }).finally(() => this.#loading.delete(name));
      this.#loading.set(name, p);
    }
    return p;
  }

  /** Key positions from `COMMAND GETKEYS`, remembered for calls of the same shape. */
  async #keyPositions(name: string, args: readonly RedisArgument[]): Promise<number[]> {
    // Raw replies: a binary key must match its own bytes, not a lossy UTF-8 decoding of them.
    const reply = await this.#send(["COMMAND", "GETKEYS", ...args], false);
    // "Invalid arguments" for a keyless form: the server will judge the command itself.
    if (reply instanceof RedisError || !Array.isArray(reply)) return [];
    const keys = reply.filter((k): k is Uint8Array => k instanceof Uint8Array);
    return this.#shapes.learn(name, args, keys);
  }
}

/** `GET` and `get` are one command; a spec with subcommands or several key specs has no fast path. */
function _fixedSingleKey(spec: CommandSpec): number {
  if (spec.subcommands.size > 0 || spec.keySpecs.length !== 1) return -1;
  const [ks] = spec.keySpecs;
  const { beginSearch: b, findKeys: f } = ks!;
  if (ks!.flags.has("INCOMPLETE") || b.type !== "index" || f.type !== "range") return -1;
  return f.lastKey === 0 && b.index >= 1 ? b.index : -1;
}

/** Keys are hashed as sent: numbers as their decimal text. */
function asKey(a: RedisArgument | undefined): RedisKey {
  if (typeof a === "string" || a instanceof Uint8Array) return a;
  return String(a);
}
