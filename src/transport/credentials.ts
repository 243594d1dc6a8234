/**
 * Credentials asked for per new connection: a provider (rotated passwords, short-lived tokens)
 * and the checks on what it returns.
 * @module
 */
import { AuthError } from "../errors.ts";

/**
 * The secret for one new connection, asked for each time one is opened, so rotated passwords
 * and short-lived tokens work without a restart.
 *
 * @example
 * ```ts
 * import type { CredentialsProvider } from "@x/rcluster";
 * const credentials: CredentialsProvider = async () => ({ username: "app", password: await Promise.resolve("s3cret") });
 * ```
 */
export type CredentialsProvider = () =>
  | Promise<{ username?: string; password: string }>
  | { username?: string; password: string };

/**
 * What `provider` gives for a new connection to `address` (`{}` without one); a throwing
 * provider or a malformed answer is an `AuthError` with code `CREDENTIALS`.
 */
export async function _askCredentials(
  provider: CredentialsProvider | undefined,
  address: string,
): Promise<{ username?: string; password?: string }> {
  if (provider === undefined) return {};
  let got: unknown;
  try {
    got = await provider();
  } catch (cause) {
    const why = cause instanceof Error ? cause.message : String(cause);
    throw new AuthError(`the credentials provider failed for ${address}: ${why}`, {
      code: "CREDENTIALS",
      address,
      cause,
    });
  }
  const c = got as { username?: unknown; password?: unknown } | null;
  if (
    typeof c !== "object" || c === null || typeof c.password !== "string" ||
    (c.username !== undefined && typeof c.username !== "string")
  ) {
    throw new AuthError(
      `the credentials provider must return { username?: string, password: string } ` +
        `(for ${address})`,
      { code: "CREDENTIALS", address },
    );
  }
  return c.username === undefined
    ? { password: c.password }
    : { username: c.username, password: c.password };
}
