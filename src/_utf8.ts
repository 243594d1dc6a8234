/** Shared UTF-8 codecs: one instance each for the whole library. */
export const encoder: TextEncoder = new TextEncoder();
export const decoder: TextDecoder = new TextDecoder();
