import type { RedisErrorKind } from "../../src/errors.ts";

/** A real server message for every kind of error. */
export const SAMPLES: Record<RedisErrorKind, string> = {
  MOVED: "MOVED 3999 127.0.0.1:6381",
  ASK: "ASK 3999 127.0.0.1:6381",
  TRYAGAIN: "TRYAGAIN Multiple keys request during rehashing of slot",
  CLUSTERDOWN: "CLUSTERDOWN The cluster is down",
  LOADING: "LOADING Redis is loading the dataset in memory",
  READONLY: "READONLY You can't write against a read only replica.",
  MASTERDOWN: "MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to 'no'.",
  CROSSSLOT: "CROSSSLOT Keys in request don't hash to the same slot",
  NOSCRIPT: "NOSCRIPT No matching script. Please use EVAL.",
  BUSY: "BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.",
  OTHER: "WRONGTYPE Operation against a key holding the wrong kind of value",
};
