import crypto from 'node:crypto';
import { evaluateRule, eventCatalog, isEventType, truthy, type EventEnvelope } from '@tripline/shared';
import type { PoolClient } from '../db/pool.ts';
import type { BirthLease, ClaimedDelivery, InsertedDelivery, NewDelivery } from '../db/deliveries.ts';
import { stepDeliveryIds } from '../db/delivery-reads.ts';
import { endpointsEnabled, subscribedEndpoints } from '../db/endpoints.ts';
import { created } from './state-machine.ts';

/**
 * Where events become webhook deliveries. An event batch (engine/runs/run-writes.ts) asks
 * `fanOutRows` for its events' subscription deliveries and hands them, with its workflows'
 * webhook steps, to `createBatchDeliveries`, inside its own transaction: the delivery rows (the deliveries table is the queue) commit with it or not
 * at all, and one NOTIFY at commit wakes the claim loops. Nothing here is cached in
 * memory, so any number of processes agree.
 */

export interface WebhookPayload {
  id: string;
  type: string;
  timestamp: string;
  data: Record<string, unknown>;
  source: string;
  causedBy: string | null;
  chain: string[];
  subject: string | null;
  vars?: Record<string, unknown>;
  /** Sent by a webhook step inside a for_each: the item and its index. */
  item?: unknown;
  index?: number;
}

/** The JSON body receivers get. `id` is the event id (also the idempotency key across endpoints). */
export function webhookPayload(envelope: EventEnvelope, vars?: Record<string, unknown>, loop?: { item: unknown; index: number }): WebhookPayload {
  return {
    id: envelope.id,
    type: envelope.type,
    timestamp: envelope.occurredAt,
    data: envelope.data,
    source: envelope.source,
    causedBy: envelope.causedBy,
    chain: envelope.chain,
    subject: envelope.subject,
    ...(vars ? { vars } : {}),
    ...(loop ? { item: loop.item, index: loop.index } : {}),
  };
}

/**
 * The envelope of an endpoint's test event: not an event of the store (not stored, it
 * triggers nothing); built here so delivery needs nothing from the engine.
 */
export function testEnvelope(type: EventEnvelope['type'], data: Record<string, unknown>): EventEnvelope {
  const now = new Date().toISOString();
  const subject = isEventType(type) ? (eventCatalog[type].subject(data as never) ?? null) : null;
  return { id: `evt_test_${crypto.randomUUID().replaceAll('-', '')}`, type, occurredAt: now, receivedAt: now, source: 'tripline:test', causedBy: null, chain: [], subject, data };
}

/** `msg_<32 hex>`: the delivery id, sent as `webhook-id`, the same on every retry. */
export function newDeliveryId(): string {
  return `msg_${crypto.randomUUID().replaceAll('-', '')}`;
}

/** The patterns that subscribe to a type: itself, its family wildcard and `*`. */
export function subscriptionPatterns(type: string): string[] {
  const dot = type.indexOf('.');
  return dot > 0 ? [type, `${type.slice(0, dot)}.*`, '*'] : [type, '*'];
}

export function filterPasses(filter: unknown, envelope: EventEnvelope): boolean {
  if (filter === null || filter === undefined) return true;
  try {
    return truthy(evaluateRule(filter, envelope));
  } catch {
    // A filter that cannot be evaluated on this event does not match it.
    return false;
  }
}

/** Enabled endpoints subscribed to a set of event types, read by the caller beforehand (an event batch's one read). */
export interface Subscriptions {
  types: ReadonlySet<string>;
  endpoints: { id: string; event_types: string[]; filter: unknown }[];
}

/**
 * The subscription delivery rows of a batch of events: one query for the endpoints
 * subscribed to any of the batch's types (none when `subscriptions` covers them), filters
 * evaluated here. The caller inserts them (`createBatchDeliveries`).
 */
export async function fanOutRows(tx: PoolClient, envelopes: EventEnvelope[], subscriptions?: Subscriptions): Promise<NewDelivery[]> {
  if (envelopes.length === 0) return [];
  const covered = subscriptions && envelopes.every((e) => subscriptions.types.has(e.type));
  const endpoints = covered ? subscriptions.endpoints : await subscribedEndpoints(tx, [...new Set(envelopes.flatMap((e) => subscriptionPatterns(e.type)))]);
  const rows: NewDelivery[] = [];
  for (const envelope of envelopes) {
    const wanted = new Set(subscriptionPatterns(envelope.type));
    let payload: string | undefined;
    for (const endpoint of endpoints) {
      if (!endpoint.event_types.some((p) => wanted.has(p)) || !filterPasses(endpoint.filter, envelope)) continue;
      payload ??= JSON.stringify(webhookPayload(envelope));
      rows.push(newRow(endpoint.id, envelope, payload, null, null));
    }
  }
  return rows;
}

/** `existing`: the step's delivery was created by an earlier execution of the step (it may have settled already). */
export type StepDeliveryResult = { ok: true; deliveryId: string; existing?: true; claim?: ClaimedDelivery } | { ok: false; error: string };

export interface StepDeliveryInput {
  endpointId: string;
  runId: string;
  nodeId: string;
  /** The for_each iteration, -1 (the default) outside a loop. */
  iteration?: number;
  loop?: { item: unknown; index: number };
  envelope: EventEnvelope;
  vars?: Record<string, unknown>;
}

/**
 * A batch's workflow-step deliveries and subscription deliveries (`fanOutRows`) in ONE
 * insert that also NOTIFYs, in the caller's transaction. Idempotent: an event already fanned
 * out to an endpoint is skipped (unique (endpoint_id, event_id)), and a step executed again
 * (a redelivered slice) gets the delivery an earlier execution made, marked `existing`;
 * a step whose endpoint is missing or disabled gets why. Deliveries of a step, when they
 * settle, are reported through hooks.ts in the transaction that settled them.
 */
export async function createBatchDeliveries(
  tx: PoolClient,
  steps: StepDeliveryInput[],
  fanOut: NewDelivery[],
  lease?: BirthLease,
): Promise<{ steps: StepDeliveryResult[]; fanOut: InsertedDelivery[] }> {
  if (steps.length + fanOut.length === 0) return { steps: [], fanOut: [] };
  // The executor checked each endpoint in this transaction, so the insert comes first and
  // the reasons are looked up only for the steps it did not insert (a statement less per batch).
  const all = await created(
    tx,
    [
      ...steps.map((s) => ({ ...newRow(s.endpointId, s.envelope, JSON.stringify(webhookPayload(s.envelope, s.vars ?? {}, s.loop)), s.runId, s.nodeId), iteration: s.iteration ?? -1 })),
      ...fanOut,
    ],
    lease,
  );
  const inserted = all.filter((d) => d.run_id !== null);
  return { steps: await stepResults(tx, steps, inserted), fanOut: all.filter((d) => d.run_id === null) };
}

/** What each step asked for got: its new delivery, the one an earlier execution made, or why none. */
async function stepResults(tx: PoolClient, steps: StepDeliveryInput[], inserted: InsertedDelivery[]): Promise<StepDeliveryResult[]> {
  const key = (runId: string, nodeId: string, iteration = -1) => `${runId}\u0000${nodeId}\u0000${iteration}`;
  const ids = new Map(inserted.map((d) => [key(d.run_id!, d.node_id!, d.iteration), d.id]));
  const claims = new Map(inserted.filter((d) => d.claim).map((d) => [d.id, d.claim!]));
  // Already created by an earlier execution of the step (in this iteration): the same delivery.
  const missing = steps.filter((s) => !ids.has(key(s.runId, s.nodeId, s.iteration)));
  const existing = new Set<string>();
  let enabled = new Map<string, boolean>();
  if (missing.length) {
    for (const [k, id] of await stepDeliveryIds(tx, missing.map((s) => ({ runId: s.runId, nodeId: s.nodeId, iteration: s.iteration ?? -1 })))) {
      ids.set(k, id);
      existing.add(k);
    }
    const unexplained = missing.filter((s) => !ids.has(key(s.runId, s.nodeId, s.iteration)));
    if (unexplained.length) enabled = await endpointsEnabled(tx, [...new Set(unexplained.map((s) => s.endpointId))]);
  }
  return steps.map((s) => {
    const k = key(s.runId, s.nodeId, s.iteration);
    const id = ids.get(k);
    if (id) return existing.has(k) ? { ok: true, deliveryId: id, existing: true } : { ok: true, deliveryId: id, ...(claims.has(id) ? { claim: claims.get(id)! } : {}) };
    const state = enabled.get(s.endpointId);
    if (state === undefined) return { ok: false, error: `endpoint "${s.endpointId}" does not exist` };
    if (!state) return { ok: false, error: `endpoint "${s.endpointId}" is disabled` };
    return { ok: false, error: `the delivery of step "${s.nodeId}" could not be created` };
  });
}

function newRow(endpointId: string, envelope: EventEnvelope, payload: string, runId: string | null, nodeId: string | null): NewDelivery {
  return {
    id: newDeliveryId(),
    endpointId,
    eventId: envelope.id,
    eventType: envelope.type,
    runId,
    nodeId,
    payload,
    acceptedAt: envelope.receivedAt ?? null,
    subject: envelope.subject,
  };
}
