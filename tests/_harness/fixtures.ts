/**
 * Replies captured from real servers (tests/fixtures/), decoded as the client decodes them, and
 * a RESP2 writer for replies the tests make up.
 * @module
 */
import { NEED_MORE, RespDecoder } from "../../src/protocol/resp_decoder.ts";
import { decodeReply } from "../../src/protocol/decode_reply.ts";
import type { RedisReply } from "../../src/types.ts";

const DIR = new URL("../fixtures/", import.meta.url);

/** The raw RESP text of a captured reply. */
export function fixtureText(name: string): string {
  return Deno.readTextFileSync(new URL(name, DIR));
}

/** A captured reply, decoded with strings. */
export function fixtureReply(name: string): RedisReply {
  const d = new RespDecoder();
  d.feed(new TextEncoder().encode(fixtureText(name)));
  const r = d.next();
  if (r === NEED_MORE) throw new Error(`${name} holds no whole reply`);
  return decodeReply(r);
}

/** A value as RESP2 text: strings as bulk strings, numbers as integers, arrays nested. */
export function resp2(value: string | number | readonly unknown[]): string {
  if (typeof value === "number") return `:${value}\r\n`;
  if (typeof value === "string") {
    return `$${new TextEncoder().encode(value).length}\r\n${value}\r\n`;
  }
  return `*${value.length}\r\n${
    value.map((v) => resp2(v as string | number | readonly unknown[])).join("")
  }`;
}
