/** Installs the typed command table as methods, once per class. */
import { COMMAND_TABLE } from "./command_table.ts";
import type { BuiltCommand } from "./command_table.ts";

/** Defines one method per typed command on `proto`, each handing its built command to `use`. */
export function _installCommands<T>(
  proto: T,
  use: (self: T, built: BuiltCommand) => unknown,
  only?: ReadonlySet<string>,
): void {
  for (const [name, build] of COMMAND_TABLE) {
    if (only !== undefined && !only.has(name)) continue;
    Object.defineProperty(proto, name, {
      value: function (this: T, ...args: unknown[]): unknown {
        return use(this, build(args));
      },
      writable: true,
      configurable: true,
    });
  }
}

/**
 * As `_installCommands`, for methods that return promises: bad arguments reject, not throw.
 * `send` settles with the method's final value: error replies thrown, transforms applied.
 */
export function _installCalls<T>(
  proto: T,
  send: (self: T, built: BuiltCommand) => Promise<unknown>,
  only?: ReadonlySet<string>,
): void {
  for (const [name, build] of COMMAND_TABLE) {
    if (only !== undefined && !only.has(name)) continue;
    Object.defineProperty(proto, name, {
      value: function (this: T, ...args: unknown[]): Promise<unknown> {
        let built: BuiltCommand;
        try {
          built = build(args);
        } catch (e) {
          return Promise.reject(e);
        }
        return send(this, built);
      },
      writable: true,
      configurable: true,
    });
  }
}
