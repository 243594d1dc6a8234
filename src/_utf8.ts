/**
 * Shared UTF-8 codecs: one instance each for the whole library. The decoder keeps a leading
 * byte order mark (`ignoreBOM`): decoded text must equal the bytes the server sent, and a value
 * may start with U+FEFF. Invalid bytes decode as U+FFFD, the replacement character.
 * @module
 */
export const encoder: TextEncoder = new TextEncoder();
export const decoder: TextDecoder = new TextDecoder("utf-8", { ignoreBOM: true });
