/**
 * OpenTelemetry without a dependency: the `tracer` and `meter` options are typed by the few
 * members this module calls, which `@opentelemetry/api`'s `Tracer` and `Meter` have (pass
 * `trace.getTracer("rcluster")` and `metrics.getMeter("rcluster")`). One span per command and
 * per pipeline with the database semantic conventions; retries and redirects as span events;
 * `db.client.operation.duration` and counters of redirects, retries and timeouts. Without a
 * tracer or meter none of this runs.
 * @module
 */
import { TimeoutError } from "../errors.ts";
import type { CallOptions } from "./call_options.ts";
import type { RedisArgument } from "../types.ts";
import { _nameOf } from "./command_name.ts";

/** Attribute values as OpenTelemetry takes them. */
export type TelemetryAttributes = Record<string, string | number | boolean>;

/**
 * The part of an OpenTelemetry `Span` the client uses.
 *
 * @example
 * ```ts
 * import type { TelemetrySpan } from "@x/rcluster";
 * const noop: TelemetrySpan = {
 *   setAttribute: () => noop,
 *   addEvent: () => noop,
 *   setStatus: () => noop,
 *   recordException: () => {},
 *   end: () => {},
 * };
 * ```
 */
export interface TelemetrySpan {
  /** Sets one attribute. */
  setAttribute(key: string, value: string | number | boolean): unknown;
  /** Adds an event (a retry, a redirect). */
  addEvent(name: string, attributes?: TelemetryAttributes): unknown;
  /** Marks the span failed (`code` 2) with a message. */
  setStatus(status: { code: number; message?: string }): unknown;
  /** Records the error the call failed with. */
  recordException(exception: Error): unknown;
  /** Ends the span. */
  end(): void;
}

/**
 * The part of an OpenTelemetry `Tracer` the client uses: `trace.getTracer("rcluster")` fits.
 *
 * @example
 * ```ts ignore
 * import { trace } from "npm:@opentelemetry/api";
 * const rc = new RedisCluster({ startupNodes, tracer: trace.getTracer("rcluster") });
 * ```
 */
export interface TelemetryTracer {
  /** Starts a span (`kind` 2 is CLIENT). */
  startSpan(
    name: string,
    options?: { kind?: number; attributes?: TelemetryAttributes },
  ): TelemetrySpan;
}

/**
 * The part of an OpenTelemetry `Meter` the client uses: `metrics.getMeter("rcluster")` fits.
 *
 * @example
 * ```ts ignore
 * import { metrics } from "npm:@opentelemetry/api";
 * const rc = new RedisCluster({ startupNodes, meter: metrics.getMeter("rcluster") });
 * ```
 */
export interface TelemetryMeter {
  /** A histogram (`db.client.operation.duration`, in seconds). */
  createHistogram(
    name: string,
    options?: { unit?: string; description?: string },
  ): { record(value: number, attributes?: TelemetryAttributes): void };
  /** A counter (`rcluster.redirects`, `rcluster.retries`, `rcluster.timeouts`). */
  createCounter(
    name: string,
    options?: { unit?: string; description?: string },
  ): { add(value: number, attributes?: TelemetryAttributes): void };
}

/** Telemetry settings, validated by the facade. */
export interface _TelemetryOptions {
  readonly tracer: TelemetryTracer | undefined;
  readonly meter: TelemetryMeter | undefined;
  /** Adds `db.query.text`: the command with every argument but its name as `?`. */
  readonly queryText: boolean;
}

const SPAN_KIND_CLIENT = 2;
const STATUS_ERROR = 2;

/** Spans and metrics of the client's calls. */
export class _Telemetry {
  #o: _TelemetryOptions;
  #spans = new WeakMap<object, TelemetrySpan>();
  #duration: { record(value: number, attributes?: TelemetryAttributes): void } | undefined;
  #redirects: { add(value: number, attributes?: TelemetryAttributes): void } | undefined;
  #retries: { add(value: number, attributes?: TelemetryAttributes): void } | undefined;
  #timeouts: { add(value: number, attributes?: TelemetryAttributes): void } | undefined;

  constructor(options: _TelemetryOptions) {
    this.#o = options;
    const m = options.meter;
    this.#duration = m?.createHistogram("db.client.operation.duration", {
      unit: "s",
      description: "Duration of database client operations.",
    });
    this.#redirects = m?.createCounter("rcluster.redirects", { description: "MOVED and ASK" });
    this.#retries = m?.createCounter("rcluster.retries", { description: "tries made again" });
    this.#timeouts = m?.createCounter("rcluster.timeouts", { description: "calls timed out" });
  }

  /** Runs one call (`run` gets the options to pass on) inside a span, timing it. */
  call<T>(
    args: readonly RedisArgument[],
    options: CallOptions | undefined,
    run: (options: CallOptions) => Promise<T>,
  ): Promise<T> {
    const name = _nameOf(args);
    const attributes: TelemetryAttributes = {
      "db.system.name": "redis",
      "db.operation.name": name,
    };
    if (this.#o.queryText) attributes["db.query.text"] = _queryText(name, args.length);
    return this.#measure(name, attributes, options, run);
  }

  /** Runs a pipeline of `size` commands inside one span. */
  batch<T>(size: number, run: () => Promise<T>): Promise<T> {
    const attributes: TelemetryAttributes = {
      "db.system.name": "redis",
      "db.operation.name": "PIPELINE",
      "db.operation.batch.size": size,
    };
    return this.#measure("PIPELINE", attributes, undefined, () => run());
  }

  /** A redirect of the call made with `options`. */
  redirected(options: CallOptions | undefined, attributes: TelemetryAttributes): void {
    this.#redirects?.add(1, { "db.system.name": "redis" });
    if (options !== undefined) this.#spans.get(options)?.addEvent("redirect", attributes);
  }

  /** A retry of the call made with `options`. */
  retried(options: CallOptions | undefined, attributes: TelemetryAttributes): void {
    this.#retries?.add(1, { "db.system.name": "redis" });
    if (options !== undefined) this.#spans.get(options)?.addEvent("retry", attributes);
  }

  async #measure<T>(
    name: string,
    attributes: TelemetryAttributes,
    options: CallOptions | undefined,
    run: (options: CallOptions) => Promise<T>,
  ): Promise<T> {
    const started = performance.now();
    const span = this.#o.tracer?.startSpan(name, { kind: SPAN_KIND_CLIENT, attributes });
    let server: { address: string; port: number } | undefined;
    const own: CallOptions = {
      ...options,
      onServed: (node) => {
        const cut = node.address.lastIndexOf(":");
        server = {
          address: node.address.slice(0, cut).replace(/^\[|\]$/g, ""),
          port: Number(node.address.slice(cut + 1)),
        };
        span?.setAttribute("server.address", server.address);
        span?.setAttribute("server.port", server.port);
        options?.onServed?.(node);
      },
    };
    if (span !== undefined) this.#spans.set(own, span);
    let error: unknown;
    try {
      return await run(own);
    } catch (e) {
      error = e;
      throw e;
    } finally {
      const metric: TelemetryAttributes = { "db.system.name": "redis", "db.operation.name": name };
      if (server !== undefined) {
        metric["server.address"] = server.address;
        metric["server.port"] = server.port;
      }
      if (error !== undefined) {
        const type = error instanceof Error ? error.name : "Error";
        metric["error.type"] = type;
        span?.setAttribute("error.type", type);
        if (error instanceof Error) span?.recordException(error);
        span?.setStatus({ code: STATUS_ERROR, message: String((error as Error)?.message) });
        if (error instanceof TimeoutError) this.#timeouts?.add(1, { "db.system.name": "redis" });
      }
      this.#duration?.record((performance.now() - started) / 1000, metric);
      span?.end();
    }
  }
}

/** The command with its arguments replaced by `?`: no key or value leaves the client. */
function _queryText(name: string, argc: number): string {
  return [name, ...Array.from({ length: argc - 1 }, () => "?")].join(" ");
}
