/**
 * The RESP grammar's byte values and limits, shared by the decoder and its aggregate stack.
 * @module
 */
export const CR = 13;
export const LF = 10;
/** A header line this long without CRLF is garbage, not a reply worth buffering. */
export const MAX_LINE = 64 * 1024;
/** Lengths have at most this many digits, which keeps hand-parsed values exact. */
export const MAX_LENGTH_DIGITS = 15;
export const EMPTY = new Uint8Array(0);
/** Returned by `#parseLine` when it opened an aggregate or read an attribute header. */
export const OPENED: unique symbol = Symbol("OPENED");

// RESP type bytes; aggregates double as frame kinds.
export const T_ARRAY = 0x2a; // *
export const T_MAP = 0x25; // %
export const T_SET = 0x7e; // ~
export const T_PUSH = 0x3e; // >
export const T_ATTR = 0x7c; // |
export const T_BULK = 0x24; // $
export const T_VERBATIM = 0x3d; // =
export const T_BLOB_ERROR = 0x21; // !
