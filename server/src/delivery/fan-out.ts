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
