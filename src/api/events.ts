/**
 * The events `RedisCluster` dispatches (it is an `EventTarget`): what changed in the cluster and
 * what the client did about it. Listeners run synchronously; one that throws is logged and
 * never breaks the client.
 * @module
 */
import type { Logger } from "../logger.ts";

/** A run of slots that changed owner. */
export interface SlotChange {
  /** Inclusive slot ranges: `[0, 100, 200, 200]`. */
  readonly slots: readonly number[];
  /** The old master's address (`undefined`: the slots had no owner). */
  readonly from: string | undefined;
  /** The new master's address (`undefined`: the slots have no owner now). */
  readonly to: string | undefined;
}

/**
 * Every event's `detail`, by event name.
 *
 * @example
 * ```ts ignore
 * rc.addEventListener("failover", (e) => console.log(`${e.detail.from} -> ${e.detail.to}`));
 * rc.addEventListener("redirect", (e) => console.log(e.detail.kind, e.detail.slot));
 * ```
 */
export interface RedisClusterEventDetails {
  /** A refresh found slots with a new owner. */
  topologychange: { readonly generation: number; readonly changes: readonly SlotChange[] };
  /** A shard's replica took over from its master (seen in a refresh). */
  failover: { readonly from: string; readonly to: string; readonly slots: readonly number[] };
  /** A node's shared connection opened; `reconnect` when it is not the first. */
  nodeconnect: { readonly address: string; readonly reconnect: boolean };
  /** A node's connection was lost with commands in flight. */
  nodelost: { readonly address: string; readonly error: Error };
  /** A `MOVED` or `ASK` sent a command elsewhere. */
  redirect: {
    readonly kind: "MOVED" | "ASK";
    readonly command: string;
    readonly slot: number;
    readonly from: string;
    readonly to: string;
  };
  /** A command is tried again (`attempt` counts from 1). */
  retry: {
    readonly command: string;
    readonly attempt: number;
    readonly reason: string;
    readonly address: string;
  };
  /** A subscription is live again after a while it was not: messages may have been missed. */
  subscriptiongap: {
    readonly kind: "channel" | "pattern" | "shard";
    readonly channel: string;
    readonly fromMs: number;
    readonly toMs: number;
  };
}

/** The event names. */
export type RedisClusterEventName = keyof RedisClusterEventDetails;

/** Dispatches an event (cheap when nobody listens). */
export type _Emit = <K extends RedisClusterEventName>(
  type: K,
  detail: () => RedisClusterEventDetails[K],
) => void;

type AnyListener = EventListenerOrEventListenerObject;

/** Listener bookkeeping for an `EventTarget` whose listeners must not break it. */
export class _SafeListeners {
  #wrapped = new WeakMap<AnyListener, Map<string, EventListener>>();
  #counts = new Map<string, number>();
  #logger: () => Logger;

  constructor(logger: () => Logger) {
    this.#logger = logger;
  }

  /** Whether anyone listens to `type`. */
  has(type: string): boolean {
    return (this.#counts.get(type) ?? 0) > 0;
  }

  /** The wrapper to register for `listener`: it logs what the listener throws. */
  wrap(type: string, listener: AnyListener): EventListener {
    let byType = this.#wrapped.get(listener);
    if (byType === undefined) {
      byType = new Map();
      this.#wrapped.set(listener, byType);
    }
    let w = byType.get(type);
    if (w === undefined) {
      w = (event: Event): void => {
        try {
          if (typeof listener === "function") listener(event);
          else listener.handleEvent(event);
        } catch (e) {
          this.#logger().error(`rcluster: a "${type}" listener threw`, e);
        }
      };
      byType.set(type, w);
      this.#counts.set(type, (this.#counts.get(type) ?? 0) + 1);
    }
    return w;
  }

  /** The wrapper registered for `listener`, forgotten. */
  unwrap(type: string, listener: AnyListener): EventListener | undefined {
    const byType = this.#wrapped.get(listener);
    const w = byType?.get(type);
    if (w !== undefined) {
      byType!.delete(type);
      this.#counts.set(type, (this.#counts.get(type) ?? 1) - 1);
    }
    return w;
  }
}
