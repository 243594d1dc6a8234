/**
 * One node's pub/sub connection: a connection of its own (pushed messages and confirmations
 * interleave, so it carries nothing else), commands written one channel each with `post()` so
 * every confirmation or error answers the oldest request, and a frame parser that tells asked-for
 * confirmations from the server's own (`sunsubscribe` pushed when a slot moves away).
 * @module
 */
import type { Connection } from "../transport/connection.ts";
import { ConnectionError, RedisError } from "../errors.ts";
import { RespPush } from "../types.ts";
import type { RedisReply } from "../types.ts";
import { decoder, encoder } from "../_utf8.ts";

/** Classic channels, patterns, or sharded channels. */
export type _PubSubKind = "channel" | "pattern" | "shard";

const SUBSCRIBE: Record<_PubSubKind, [string, string]> = {
  channel: ["SUBSCRIBE", "UNSUBSCRIBE"],
  pattern: ["PSUBSCRIBE", "PUNSUBSCRIBE"],
  shard: ["SSUBSCRIBE", "SUNSUBSCRIBE"],
};
const KIND_OF: Record<string, [_PubSubKind, boolean]> = {
  subscribe: ["channel", true],
  unsubscribe: ["channel", false],
  psubscribe: ["pattern", true],
  punsubscribe: ["pattern", false],
  ssubscribe: ["shard", true],
  sunsubscribe: ["shard", false],
};

/** What a link reports to the hub. */
export interface _LinkEvents {
  /** A published message (`pattern` for pattern subscriptions). */
  message(
    kind: _PubSubKind,
    channel: Uint8Array,
    payload: Uint8Array,
    pattern: Uint8Array | undefined,
  ): void;
  /** The node confirmed a subscription asked for. */
  confirmed(kind: _PubSubKind, name: string): void;
  /** The node dropped a subscription it was not asked to drop (its slot moved away). */
  droppedByServer(kind: _PubSubKind, name: string): void;
  /** The node refused a subscription (e.g. `MOVED` for a sharded channel). */
  refused(kind: _PubSubKind, name: string, error: RedisError): void;
  /** The connection was lost (or could not be opened). */
  lost(error: Error): void;
}

/** Opens the link's connection with hooks for what arrives on it. */
export type _OpenStream = (hooks: {
  onExtraReply: (reply: RedisReply) => void;
  onPush: (push: RespPush) => void;
  onClose: (error: Error | undefined) => void;
}) => Promise<Connection>;

/** One node's pub/sub connection. */
export class _SubscriberLink {
  readonly address: string;
  #events: _LinkEvents;
  #conn: Connection | undefined;
  #opening: Promise<void>;
  /** Requests written, oldest first: each is answered by one confirmation or error. */
  #asked: { kind: _PubSubKind; name: string; subscribe: boolean }[] = [];
  /** Requests made before the connection opened. */
  #queued: { kind: _PubSubKind; name: string; subscribe: boolean }[] = [];
  #closed = false;

  constructor(address: string, open: _OpenStream, events: _LinkEvents) {
    this.address = address;
    this.#events = events;
    this.#opening = open({
      onExtraReply: (reply) => this.#frame(reply),
      onPush: (push) => this.#frame(push),
      onClose: (error) => {
        if (this.#closed) return;
        this.#closed = true;
        this.#events.lost(error ?? new ConnectionError(`${address} closed`, { address }));
      },
    }).then((conn) => {
      if (this.#closed) return void conn.close();
      this.#conn = conn;
      for (const r of this.#queued.splice(0)) this.#post(r);
    }, (error: unknown) => {
      if (this.#closed) return;
      this.#closed = true;
      this.#events.lost(error instanceof Error ? error : new Error(String(error)));
    });
  }

  /** Whether the link is lost or closed. */
  get closed(): boolean {
    return this.#closed;
  }

  /** Asks the node to subscribe (`subscribe`) or unsubscribe `name`. */
  request(kind: _PubSubKind, name: string, subscribe: boolean): void {
    if (this.#closed) return;
    const r = { kind, name, subscribe };
    if (this.#conn === undefined) this.#queued.push(r);
    else this.#post(r);
  }

  /** Closes the connection; the node forgets every subscription on it. */
  async close(): Promise<void> {
    this.#closed = true;
    await this.#opening;
    await this.#conn?.close();
  }

  #post(r: { kind: _PubSubKind; name: string; subscribe: boolean }): void {
    const [on, off] = SUBSCRIBE[r.kind];
    try {
      this.#conn!.post([r.subscribe ? on : off, r.name]);
      this.#asked.push(r);
    } catch {
      // Closed meanwhile: onClose reports it.
    }
  }

  #frame(frame: RedisReply | RespPush): void {
    const items = frame instanceof RespPush ? frame.data : frame;
    if (frame instanceof RedisError) {
      const r = this.#asked.shift();
      if (r !== undefined) this.#events.refused(r.kind, r.name, frame);
      return;
    }
    if (!Array.isArray(items) || items.length < 3) return;
    const type = text(items[0]).toLowerCase();
    if (type === "message" || type === "smessage") {
      const kind = type === "message" ? "channel" : "shard";
      return this.#events.message(kind, bytes(items[1]), bytes(items[2]), undefined);
    }
    if (type === "pmessage" && items.length >= 4) {
      return this.#events.message("pattern", bytes(items[2]), bytes(items[3]), bytes(items[1]));
    }
    const known = KIND_OF[type];
    if (known === undefined) return;
    const [kind, subscribe] = known;
    const name = text(items[1]);
    const head = this.#asked[0];
    if (
      head !== undefined && head.kind === kind && head.subscribe === subscribe && head.name === name
    ) {
      this.#asked.shift();
      if (subscribe) this.#events.confirmed(kind, name);
    } else if (!subscribe) {
      this.#events.droppedByServer(kind, name);
    }
  }
}

function bytes(r: RedisReply | undefined): Uint8Array {
  if (r instanceof Uint8Array) return r;
  return encoder.encode(r === undefined || r === null ? "" : String(r));
}

function text(r: RedisReply | undefined): string {
  return r instanceof Uint8Array ? decoder.decode(r) : String(r);
}
