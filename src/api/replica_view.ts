/**
 * A typed view with only the read-only commands, served by replicas.
 * @module
 */
import type { _Dispatcher } from "../execution/dispatcher.ts";
import { _installCalls } from "../commands/install.ts";
import { READ_ONLY_METHODS } from "../commands/command_table.ts";
import type { Bulk, ReadOnlyCommands } from "../commands/command_table.ts";
import { _scanCluster } from "./scan_iterators.ts";
import type { ScanIteratorOptions } from "./scan_iterators.ts";
import type { ReadFrom } from "../topology/read_policy.ts";

/**
 * A view of a client with only its read-only commands, served by replicas (by default
 * `"replica-preferred"`). A write through it does not compile. It shares the client's
 * connections.
 *
 * @example
 * ```ts ignore
 * const replicas = rc.replicaView();
 * await replicas.get("foo");
 * // replicas.set("foo", "bar"); // compile error
 * ```
 */
export type ReplicaView<D extends boolean = false> = ReadOnlyCommands<D> & {
  /** The client's `scanIterator`, reading from replicas. */
  scanIterator(options?: ScanIteratorOptions): AsyncGenerator<Bulk<D>, void, undefined>;
};

class _ReplicaView {
  static {
    _installCalls(
      this.prototype,
      (self, b) => self.#dispatcher.result(b.args, { readFrom: self.#readFrom, ...b.options }, b),
      new Set(READ_ONLY_METHODS),
    );
  }
  #dispatcher: _Dispatcher;
  #readFrom: ReadFrom;

  constructor(dispatcher: _Dispatcher, readFrom: ReadFrom) {
    this.#dispatcher = dispatcher;
    this.#readFrom = readFrom;
  }

  scanIterator(options?: ScanIteratorOptions): AsyncGenerator<unknown, void, undefined> {
    return _scanCluster(this.#dispatcher, { readFrom: this.#readFrom, ...options });
  }
}

/** Makes the replica view of a client. */
export function _replicaView<D extends boolean>(
  dispatcher: _Dispatcher,
  readFrom: ReadFrom,
): ReplicaView<D> {
  // The class carries every read-only method, installed from the table at load time.
  return new _ReplicaView(dispatcher, readFrom) as unknown as ReplicaView<D>;
}
