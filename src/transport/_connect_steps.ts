/**
 * The two steps of `Connection.connect` that can fail, and what each failure is called: opening
 * the socket (refused, timed out, cancelled) and the handshake (with a hint when TLS is on one
 * side only, the commonest cause of a handshake that dies or never ends).
 * @module
 */
import { ConnectionError, TimeoutError } from "../errors.ts";
import type { ConnectionOptions } from "./connection_options.ts";
import type { Socket } from "./transport.ts";
import { _defaultTransport } from "./default_transport.ts";

/** How a connect attempt stands when a step failed. */
export interface _ConnectState {
  readonly address: string;
  readonly timeoutMs: number;
  /** The caller's signal fired. */
  readonly cancelled: boolean;
  /** The connect timeout (or the cancel) aborted the attempt. */
  readonly aborted: boolean;
}

/** Opens the socket with the runtime's transport; `signal` ends the attempt. */
export async function _openSocket(
  options: ConnectionOptions,
  signal: AbortSignal,
  state: () => _ConnectState,
): Promise<Socket> {
  try {
    const transport = options.transport ?? _defaultTransport();
    const tls = options.tls === true ? {} : options.tls || undefined;
    return await transport.connect({ host: options.host, port: options.port, tls, signal });
  } catch (cause) {
    const { address, timeoutMs, cancelled, aborted } = state();
    if (cancelled) {
      throw new ConnectionError(`connect to ${address} was cancelled`, { address, cause });
    }
    if (aborted) {
      throw new TimeoutError(`connect to ${address} timed out after ${timeoutMs} ms`, {
        address,
        cause,
      });
    }
    const text = cause instanceof Error ? cause.message : String(cause);
    throw new ConnectionError(`connect to ${address} failed: ${text}`, { address, cause });
  }
}

/** The error of a failed handshake, said with the TLS hint where it applies. */
export function _handshakeFailure(
  error: unknown,
  options: ConnectionOptions,
  s: _ConnectState,
): unknown {
  const hint = options.tls
    ? " (no TLS answer: is it a plaintext port?)"
    : " (closed during the handshake: is it a TLS port? (set the tls option))";
  if (s.aborted && !s.cancelled) {
    return new TimeoutError(
      `handshake with ${s.address} timed out after ${s.timeoutMs} ms${options.tls ? hint : ""}`,
      { address: s.address, cause: error },
    );
  }
  if (error instanceof ConnectionError && !s.cancelled && error.cause !== undefined) {
    return new ConnectionError(`${error.message}${hint}`, { address: s.address, cause: error });
  }
  return error;
}
