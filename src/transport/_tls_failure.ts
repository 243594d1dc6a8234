/**
 * The error of a TLS connect that failed for a reason other than a refusal: most often a
 * plaintext port answering a TLS handshake, which runtimes report as a parse error.
 * @module
 */

/** Wraps a TLS connect failure with a hint about plaintext ports. */
export function _tlsFailure(cause: unknown): Error {
  const text = cause instanceof Error ? cause.message : String(cause);
  return new Error(
    /refused/i.test(text) ? text : `${text} (TLS handshake failed: is it a plaintext port?)`,
    { cause },
  );
}
