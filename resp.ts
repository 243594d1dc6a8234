/**
 * rcluster's protocol layer, for people writing tools: the RESP2/RESP3 codec, a raw pipelined
 * `Connection` to one node, and the command metadata (`COMMAND INFO` parsing and key specs)
 * the client routes with. Applications use `@x/rcluster` instead.
 *
 * @example
 * ```ts ignore
 * import { Connection, encodeCommand, RespDecoder } from "@x/rcluster/resp";
 * const conn = await Connection.connect({ host: "127.0.0.1", port: 7000 });
 * console.log(await conn.send(["PING"], { decode: true })); // "PONG"
 * await conn.close();
 * const decoder = new RespDecoder();
 * decoder.feed(encodeCommand(["GET", "k"]));
 * console.log(decoder.next()); // [Uint8Array "GET", Uint8Array "k"]
 * ```
 *
 * @module
 */
export { CommandWriter, encodeCommand } from "./src/protocol/resp_encoder.ts";
export { type DecoderOptions, NEED_MORE, RespDecoder } from "./src/protocol/resp_decoder.ts";
export { decodeReply } from "./src/protocol/decode_reply.ts";
export { Connection } from "./src/transport/connection.ts";
export type {
  ConnectionOptions,
  ReplySink,
  SendOptions,
} from "./src/transport/connection_options.ts";
export type { TlsOptions } from "./src/transport/transport.ts";
export type { NodeCounters } from "./src/transport/node_counters.ts";
export {
  type BeginSearch,
  BUILTIN_COMMANDS,
  type CommandSpec,
  type FindKeys,
  type KeySpec,
  parseCommandInfo,
} from "./src/routing/command_info.ts";
export { isReadOnly, keyIndexes, resolveSpec } from "./src/routing/key_specs.ts";
export { COMMAND_TABLE } from "./src/commands/command_table.ts";
export type { BuiltCommand } from "./src/commands/types.ts";
export {
  ConnectionError,
  ProtocolError,
  RedisError,
  type RedisErrorKind,
  TimeoutError,
} from "./src/errors.ts";
export {
  type RedisArgument,
  type RedisKey,
  type RedisReply,
  RespPush,
  VerbatimString,
} from "./src/types.ts";
