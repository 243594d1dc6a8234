/**
 * The send options of each try: the client's defaults shared by plain calls (built once, so the
 * hot path allocates nothing), and per-try options whose timeout is what is left of the call's.
 * @module
 */
import type { SendOptions } from "../transport/connection_options.ts";
import type { CallOptions } from "./call_options.ts";
import { type _CallLimits, _remainingMs } from "./call_limits.ts";
import type { _RoutedCommand } from "./routed_command.ts";

/** What the options depend on. */
export interface _SendDefaults {
  readonly decode: boolean;
  readonly commandTimeoutMs: number | undefined;
  /** Whether reads go to masters unless a call says otherwise. */
  readonly readsMaster: () => boolean;
  /** The limits object of calls with no timeout and no signal. */
  readonly noLimits: _CallLimits;
}

/** Builds (and caches the shared) send options. */
export class _SendOptions {
  #d: _SendDefaults;
  #defaults: SendOptions | undefined;
  #readDefaults: SendOptions | undefined;
  #untimed: SendOptions | undefined;

  constructor(defaults: _SendDefaults) {
    this.#d = defaults;
  }

  /** Send options for a call, with the client's defaults. */
  forCall(options: CallOptions | undefined): SendOptions {
    const { decode, commandTimeoutMs } = this.#d;
    if (options === undefined) return this.#defaults ??= { decode, timeoutMs: commandTimeoutMs };
    return { decode, timeoutMs: options.timeoutMs ?? commandTimeoutMs, signal: options.signal };
  }

  /** Options of a plain command's first try (no per-call timing or hooks). */
  firstTry(cmd: _RoutedCommand): SendOptions {
    if (cmd.route.readOnly) {
      this.#readDefaults ??= {
        ...this.forCall(undefined),
        readOnly: true,
        stallRetry: !this.#d.readsMaster(),
      };
      return cmd.inPipeline ? { ...this.#readDefaults, inPipeline: true } : this.#readDefaults;
    }
    const options = this.forCall(undefined);
    return cmd.inPipeline ? { ...options, inPipeline: true } : options;
  }

  /**
   * Options of one try of the retry loop on a shared connection. Only a first try may be failed
   * early by a stall: a read slow everywhere is not retried again and again.
   */
  retryTry(cmd: _RoutedCommand, first: boolean): SendOptions {
    const timed = this.timed(cmd.options, cmd.limits);
    const { readOnly } = cmd.route;
    if (!cmd.inPipeline && !readOnly) return timed;
    return {
      ...timed,
      inPipeline: cmd.inPipeline === true,
      readOnly,
      stallRetry: first && this.#mayReadElsewhere(cmd),
    };
  }

  /**
   * Send options for one try: its timeout is what is left of the call's (none for a call with
   * no deadline, a blocking command without its own `timeoutMs` among them).
   */
  timed(options: CallOptions | undefined, limits: _CallLimits): SendOptions {
    const { decode } = this.#d;
    if (limits === this.#d.noLimits) return this.#untimed ??= { decode };
    return {
      decode,
      timeoutMs: limits.deadline === Infinity ? undefined : Math.max(1, _remainingMs(limits)),
      signal: options?.signal,
    };
  }

  /** Whether a read may go to another node than the master when its node stalls. */
  #mayReadElsewhere(cmd: _RoutedCommand): boolean {
    if (!cmd.route.readOnly) return false;
    const own = cmd.options?.readFrom;
    return own === undefined ? !this.#d.readsMaster() : own !== "master";
  }
}
