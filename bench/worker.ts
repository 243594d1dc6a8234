/**
 * One client's run in a Worker of its own: a fresh V8 isolate per run, so no client inherits
 * another's heap (node-redis leaves hundreds of bytes per command alive after close()) or its
 * type feedback on the shared harness code, while all of them stay in the same Deno process.
 * @module
 */
import { type Job, type Outcome, runJob } from "./job.ts";

/** The worker's side of the message channel (the default lib types `self` as a window). */
const port = self as unknown as {
  onmessage: (event: MessageEvent<Job>) => void;
  postMessage(outcome: Outcome): void;
};

port.onmessage = (event) => {
  runJob(event.data).then((outcome) => port.postMessage(outcome));
};
