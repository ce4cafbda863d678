import type { ClaimedDelivery } from './db/deliveries.ts';
import type { ClaimedEvent } from './db/events.ts';
import type { PoolClient } from './db/pool.ts';

/**
 * How the parts of one process reach each other without importing each other: each port
 * has one provider, wired explicitly at start-up by the feature that owns it (the engine
 * provides the settled-delivery handler, the console its in-process inbox receiver, each
 * claim worker its wake-up). Held in AppContext, so several Tripline instances in one
 * process (the tests) never share one. A port nobody provided is a no-op (an API-only
 * process has no claim worker to wake) unless its caller asks with `has`.
 */

/** A workflow step's delivery that succeeded or failed for good. */
export interface SettledStepDelivery {
  deliveryId: string;
  runId: string;
  nodeId: string;
  status: 'succeeded' | 'failed';
  attempts: number;
  statusCode: number | null;
  error: string | null;
}

/** Events delivery itself raises; the event store is the engine's. */
export interface RaisedEvent {
  type: 'endpoint.disabled';
  source: 'tripline';
  data: Record<string, unknown>;
}

/** A request a delivery would send, and what a receiver inside this process answers (null: send it over the network). */
export interface LocalRequest {
  url: string;
  timeoutMs?: number;
  allowPrivate?: boolean;
  headers: Record<string, string>;
  body: string;
}
export interface LocalResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export interface Ports {
  /**
   * The engine resumes the runs waiting on these step deliveries, in the transaction that
   * settled them. `isolated`: a failure of its own must not fail the caller's transaction.
   */
  stepDeliveriesSettled: (tx: PoolClient, settled: SettledStepDelivery[], mode: { isolated: boolean }) => Promise<void>;
  /** The engine stores an event delivery raised, in the caller's transaction. */
  raiseEvent: (tx: PoolClient, event: RaisedEvent) => Promise<void>;
  /** The console answers deliveries to its own test inboxes in-process (no socket, no SSRF exception). */
  localReceiver: (request: LocalRequest) => Promise<LocalResponse | null>;
  /** Ingest just committed events: this process's event claim worker claims at once. */
  eventsStored: () => void;
  /**
   * This process's event worker, for its ingest: while it has room (`leaseSeconds` when it
   * has, null when its queue is long and other workers should help), ingest stores events
   * born leased to it and hands them over after the commit, processed from memory.
   */
  eventsBornLeased: { leaseSeconds(): number | null; adopt(events: ClaimedEvent[]): void };
  /** A batch just committed due deliveries: this process's delivery worker claims at once. */
  deliveriesDue: () => void;
  /** A batch just committed deliveries born leased to this process: its delivery worker sends them now, with no claim. */
  deliveriesLeased: (claims: ClaimedDelivery[]) => void;
}

export class Bus {
  readonly #providers: Partial<Ports> = {};

  /** Wires a port; a second provider for the same port is a wiring mistake. */
  provide<K extends keyof Ports>(port: K, impl: Ports[K]): void {
    if (this.#providers[port]) throw new Error(`the port "${port}" is already provided`);
    this.#providers[port] = impl;
  }

  /** Unwires a port (a worker that stopped), if `impl` is what provides it. */
  withdraw<K extends keyof Ports>(port: K, impl: Ports[K]): void {
    if (this.#providers[port] === impl) delete this.#providers[port];
  }

  has(port: keyof Ports): boolean {
    return this.#providers[port] !== undefined;
  }

  get<K extends keyof Ports>(port: K): Ports[K] | undefined {
    return this.#providers[port];
  }
}
