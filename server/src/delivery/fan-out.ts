import crypto from 'node:crypto';
import type { EventEnvelope } from '@tripline/shared';
import { evaluateRule, truthy } from '@tripline/shared';
import type { AppContext } from '../context.ts';
import type { PoolClient } from '../db/pool.ts';
import { clientDb } from '../queue/boss.ts';
import { queues } from '../queue/queues.ts';

/**
 * Where an event becomes webhook deliveries. The engine calls `fanOutEvent` for every
 * event it processes and `createStepDelivery` for a workflow's webhook step, inside its
 * own transaction: the delivery rows and their `delivery.send` jobs commit with it or not
 * at all. Nothing here is cached in memory, so any number of processes agree.
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
}

/** The JSON body receivers get. `id` is the event id (also the idempotency key across endpoints). */
export function webhookPayload(envelope: EventEnvelope, vars?: Record<string, unknown>): WebhookPayload {
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
  };
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

/**
 * Creates one pending delivery per enabled endpoint subscribed to the event's type whose
 * filter passes, with its send job, in the caller's transaction. Idempotent: an event
 * already fanned out to an endpoint is skipped (unique (endpoint_id, event_id)).
 * Returns the number of deliveries created.
 */
export async function fanOutEvent(tx: PoolClient, ctx: AppContext, envelope: EventEnvelope): Promise<number> {
  const { rows } = await tx.query<{ id: string; filter: unknown }>(
    `select id, filter from endpoints where enabled and event_types && $1::text[]`,
    [subscriptionPatterns(envelope.type)],
  );
  const targets = rows.filter((r) => filterPasses(r.filter, envelope));
  if (targets.length === 0) return 0;
  const inserted = await tx.query<{ id: string; job_id: string }>(
    `insert into deliveries (id, endpoint_id, event_id, event_type, payload, status, job_id)
     select t.id, t.endpoint_id, $3, $4, $5::jsonb, 'pending', t.job_id
       from unnest($1::text[], $2::text[], $6::text[]) as t(id, endpoint_id, job_id)
     on conflict do nothing
     returning id, job_id`,
    [
      targets.map(() => newDeliveryId()),
      targets.map((t) => t.id),
      envelope.id,
      envelope.type,
      JSON.stringify(webhookPayload(envelope)),
      targets.map(() => crypto.randomUUID()),
    ],
  );
  await enqueueSends(tx, ctx, inserted.rows);
  return inserted.rows.length;
}

export type StepDeliveryResult = { ok: true; deliveryId: string } | { ok: false; error: string };

/**
 * The delivery of a workflow's webhook step: one per (run, node), whatever types the
 * endpoint subscribes to. When it succeeds or fails for good, `run.execute` is enqueued
 * with the run id so the engine resumes the run and reads the delivery's status.
 */
export async function createStepDelivery(
  tx: PoolClient,
  ctx: AppContext,
  step: { endpointId: string; runId: string; nodeId: string; envelope: EventEnvelope; vars?: Record<string, unknown> },
): Promise<StepDeliveryResult> {
  const endpoint = await tx.query<{ enabled: boolean }>('select enabled from endpoints where id = $1', [step.endpointId]);
  if (!endpoint.rows[0]) return { ok: false, error: `endpoint "${step.endpointId}" does not exist` };
  if (!endpoint.rows[0].enabled) return { ok: false, error: `endpoint "${step.endpointId}" is disabled` };
  const inserted = await tx.query<{ id: string; job_id: string }>(
    `insert into deliveries (id, endpoint_id, event_id, event_type, run_id, node_id, payload, status, job_id)
     values ($1, $2, $3, $4, $5, $6, $7::jsonb, 'pending', $8)
     on conflict (run_id, node_id) where run_id is not null do nothing
     returning id, job_id`,
    [
      newDeliveryId(),
      step.endpointId,
      step.envelope.id,
      step.envelope.type,
      step.runId,
      step.nodeId,
      JSON.stringify(webhookPayload(step.envelope, step.vars ?? {})),
      crypto.randomUUID(),
    ],
  );
  if (inserted.rows[0]) {
    await enqueueSends(tx, ctx, inserted.rows);
    return { ok: true, deliveryId: inserted.rows[0].id };
  }
  // Already created by an earlier execution of this step (a redelivered job): the same delivery.
  const existing = await tx.query<{ id: string }>('select id from deliveries where run_id = $1 and node_id = $2', [step.runId, step.nodeId]);
  return { ok: true, deliveryId: existing.rows[0]!.id };
}

/** Enqueues one `delivery.send` job per delivery, with the job id the delivery row expects. */
export async function enqueueSends(
  tx: PoolClient,
  ctx: AppContext,
  rows: { id: string; job_id: string }[],
  startAfter?: Date,
): Promise<void> {
  if (rows.length === 0) return;
  await ctx.boss.insert(
    queues.sendDelivery.name,
    rows.map((r) => ({ id: r.job_id, data: { deliveryId: r.id }, ...(startAfter ? { startAfter } : {}) })),
    { db: clientDb(tx) },
  );
}

/**
 * Batched `fanOutEvent`: the deliveries of many events, one endpoint read and one insert
 * for all of them. Returns the number of deliveries created.
 */
export async function fanOutEvents(tx: PoolClient, ctx: AppContext, envelopes: EventEnvelope[]): Promise<number> {
  if (envelopes.length === 0) return 0;
  const patterns = [...new Set(envelopes.flatMap((e) => subscriptionPatterns(e.type)))];
  const { rows: endpoints } = await tx.query<{ id: string; filter: unknown; event_types: string[] }>(
    `select id, filter, event_types from endpoints where enabled and event_types && $1::text[]`,
    [patterns],
  );
  if (endpoints.length === 0) return 0;
  const targets: { endpointId: string; envelope: EventEnvelope }[] = [];
  for (const envelope of envelopes) {
    const wanted = subscriptionPatterns(envelope.type);
    for (const ep of endpoints) {
      if (ep.event_types.some((t) => wanted.includes(t)) && filterPasses(ep.filter, envelope)) targets.push({ endpointId: ep.id, envelope });
    }
  }
  if (targets.length === 0) return 0;
  const inserted = await tx.query<{ id: string; job_id: string }>(
    `insert into deliveries (id, endpoint_id, event_id, event_type, payload, status, job_id)
     select t.id, t.endpoint_id, t.event_id, t.event_type, t.payload, 'pending', t.job_id
       from unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::jsonb[], $6::text[]) as t(id, endpoint_id, event_id, event_type, payload, job_id)
     on conflict do nothing
     returning id, job_id`,
    [
      targets.map(() => newDeliveryId()),
      targets.map((t) => t.endpointId),
      targets.map((t) => t.envelope.id),
      targets.map((t) => t.envelope.type),
      targets.map((t) => JSON.stringify(webhookPayload(t.envelope))),
      targets.map(() => crypto.randomUUID()),
    ],
  );
  await enqueueSends(tx, ctx, inserted.rows);
  return inserted.rows.length;
}

/**
 * Batched `createStepDelivery`: results in the order of `steps`. A step whose delivery
 * already exists (an earlier execution of it) gets that delivery back.
 */
export async function createStepDeliveries(
  tx: PoolClient,
  ctx: AppContext,
  steps: { endpointId: string; runId: string; nodeId: string; envelope: EventEnvelope; vars: Record<string, unknown> }[],
): Promise<Array<{ ok: true; deliveryId: string } | { ok: false; error: string }>> {
  if (steps.length === 0) return [];
  const { rows: endpoints } = await tx.query<{ id: string; enabled: boolean }>('select id, enabled from endpoints where id = any($1::text[])', [
    [...new Set(steps.map((s) => s.endpointId))],
  ]);
  const enabled = new Map(endpoints.map((e) => [e.id, e.enabled]));
  const results: Array<{ ok: true; deliveryId: string } | { ok: false; error: string } | undefined> = steps.map((s) =>
    !enabled.has(s.endpointId)
      ? { ok: false, error: `endpoint "${s.endpointId}" does not exist` }
      : !enabled.get(s.endpointId)
        ? { ok: false, error: `endpoint "${s.endpointId}" is disabled` }
        : undefined,
  );
  const todo = steps.filter((_, i) => results[i] === undefined);
  if (todo.length > 0) {
    const inserted = await tx.query<{ id: string; job_id: string; run_id: string; node_id: string }>(
      `insert into deliveries (id, endpoint_id, event_id, event_type, run_id, node_id, payload, status, job_id)
       select t.id, t.endpoint_id, t.event_id, t.event_type, t.run_id, t.node_id, t.payload, 'pending', t.job_id
         from unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::jsonb[], $8::text[])
           as t(id, endpoint_id, event_id, event_type, run_id, node_id, payload, job_id)
       on conflict (run_id, node_id) where run_id is not null do nothing
       returning id, job_id, run_id, node_id`,
      [
        todo.map(() => newDeliveryId()),
        todo.map((s) => s.endpointId),
        todo.map((s) => s.envelope.id),
        todo.map((s) => s.envelope.type),
        todo.map((s) => s.runId),
        todo.map((s) => s.nodeId),
        todo.map((s) => JSON.stringify(webhookPayload(s.envelope, s.vars ?? {}))),
        todo.map(() => crypto.randomUUID()),
      ],
    );
    await enqueueSends(tx, ctx, inserted.rows.map((r) => ({ id: r.id, job_id: r.job_id })));
    const key = (runId: string, nodeId: string) => `${runId}\u0000${nodeId}`;
    const ids = new Map(inserted.rows.map((r) => [key(r.run_id, r.node_id), r.id]));
    const missing = todo.filter((s) => !ids.has(key(s.runId, s.nodeId)));
    if (missing.length > 0) {
      // Already created by an earlier execution of the step (a redelivered job): the same delivery.
      const existing = await tx.query<{ id: string; run_id: string; node_id: string }>(
        `select d.id, d.run_id, d.node_id from deliveries d join unnest($1::text[], $2::text[]) as m(run_id, node_id) on d.run_id = m.run_id and d.node_id = m.node_id`,
        [missing.map((s) => s.runId), missing.map((s) => s.nodeId)],
      );
      for (const r of existing.rows) ids.set(key(r.run_id, r.node_id), r.id);
    }
    steps.forEach((s, i) => {
      if (results[i] === undefined) results[i] = { ok: true, deliveryId: ids.get(key(s.runId, s.nodeId))! };
    });
  }
  return results as Array<{ ok: true; deliveryId: string } | { ok: false; error: string }>;
}
