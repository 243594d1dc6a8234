/**
 * The two shapes the execution layer works with: a command with its route, and how a final
 * reply becomes the caller's result.
 *
 * A command's *reply* is what the server sent, error replies included as `RedisError` values:
 * that is what travels inside the decoder, the retry loop and pipelines. Its *result* is what
 * the caller of a method gets: an error reply thrown, anything else passed through the method's
 * transform. The conversion happens once, at the API edge (`_resultOf`).
 * @module
 */
import { RedisError } from "../errors.ts";
import type { _Route } from "../routing/command_cache.ts";
import type { CallOptions } from "./call_options.ts";
import type { _CallLimits } from "./call_limits.ts";
import type { RedisArgument, RedisReply } from "../types.ts";

/** A command ready to run: its arguments, where it goes, and the caller's options. */
export interface _RoutedCommand {
  readonly args: readonly RedisArgument[];
  readonly route: _Route;
  readonly options: CallOptions | undefined;
  /** What bounds the whole call: deadline, signal, the client's closing. */
  readonly limits: _CallLimits;
  /** Part of an explicit pipeline: written with the rest of it, whatever `autoPipelining` says. */
  readonly inPipeline?: boolean;
}

/** How a final reply becomes the caller's result: the method's transform, if any. */
export interface _ToResult {
  readonly transform?: ((reply: RedisReply) => unknown) | undefined;
}

/** The caller's result of a final reply: a `RedisError` reply throws. */
export function _resultOf(reply: RedisReply, toResult: _ToResult): unknown {
  if (reply instanceof RedisError) throw reply;
  return toResult.transform ? toResult.transform(reply) : reply;
}

/** `p`'s reply as the caller's result, or the reply itself when there is no `toResult`. */
export function _asResult(
  p: Promise<RedisReply>,
  toResult: _ToResult | undefined,
): Promise<unknown> {
  return toResult === undefined ? p : p.then((reply) => _resultOf(reply, toResult));
}
