/**
 * The logger every layer writes to. Shared at the bottom because the transport, the topology,
 * the retry loop and the facade all report through the one the user gave.
 * @module
 */

/**
 * Console-shaped logger; rcluster is silent unless one is given.
 *
 * @example
 * ```ts
 * import type { Logger } from "@x/rcluster";
 * const logger: Logger = console;
 * ```
 */
export interface Logger {
  /** Fine-grained events (each retry). */
  debug(...data: unknown[]): void;
  /** Topology changes. */
  info(...data: unknown[]): void;
  /** Recoverable trouble (a node lost, a refresh failed). */
  warn(...data: unknown[]): void;
  /** Failures that reach the caller. */
  error(...data: unknown[]): void;
}

/** The default: says nothing. */
export const _SILENT_LOGGER: Logger = { debug() {}, info() {}, warn() {}, error() {} };
