/**
 * The peers, pinned in one place. npm: specifiers are allowed in bench/ only; keeping them here
 * rather than in deno.json's import map keeps them out of the library's configuration.
 * @module
 */
export { Cluster } from "npm:ioredis@6.0.0";
export { createCluster } from "npm:redis@6.3.1";
export { default as RedisParser } from "npm:redis-parser@3.0.0";

/** The versions imported above, for the report. */
export const VERSIONS = { ioredis: "6.0.0", redis: "6.3.1", "redis-parser": "3.0.0" } as const;
