import type { EventEnvelope } from '@tripline/shared';
import { matchesTrigger } from '../matching.ts';
import { buildScope } from '../runs/scope.ts';
import { explainCrossing, stockView } from './stock.ts';
import type { Queryable } from '../../db/queryable.ts';


export interface Explanation {
  /** One sentence for the event page. */
  summary: string;
  /** One line per thing that could have fired and why it did not. */
  reasons: string[];
}

/**
 * Why an event started no run, computed when someone asks (the event page), from the live
 * triggers and the engine's state now. Never changes anything. State that moved on since the
 * event was processed is said to be current ("rule over today's customer"), not rewritten.
 */
export async function explainNoRuns(db: Queryable, event: EventEnvelope, derivedTypes: string[]): Promise<Explanation> {
  const reasons: string[] = [];
  if (event.type === 'product.stock_changed') reasons.push(...(await stockReasons(db, event, derivedTypes)));

  const triggers = await db.query<{ name: string; config: Record<string, unknown> }>(
    `select w.name, t.config from workflow_triggers t join workflows w on w.id = t.workflow_id where t.event_type = $1 order by w.name`,
    [event.type],
  );
  if (triggers.rows.length > 0) {
    const scope = await buildScope(db, event, {});
    for (const t of triggers.rows) reasons.push(`“${t.name}”: ${matchesTrigger(t.config, event, scope) ?? 'its trigger matches now (the state it reads changed since)'}`);
  }
  const idle = await db.query<{ name: string; published: boolean; enabled: boolean }>(
    `select name, published_version is not null as published, enabled from workflows w
      where deleted_at is null and draft->'nodes' @> $1::jsonb
        and not exists (select 1 from workflow_triggers t where t.workflow_id = w.id and t.event_type = $2)
      order by name limit 20`,
    [JSON.stringify([{ type: 'trigger', config: { eventType: event.type } }]), event.type],
  );
  for (const w of idle.rows) reasons.push(`“${w.name}” listens to ${event.type} in its draft but ${w.published ? (w.enabled ? 'its live version does not' : 'is disabled') : 'was never published'}`);

  const summary =
    reasons.length > 0
      ? (reasons[0] ?? '')
      : event.type === 'product.stock_changed'
        ? `No published workflow watches the stock of ${String(event.data.sku)} or starts on ${event.type}.`
        : `No published, enabled workflow starts on ${event.type}.`;
  return { summary, reasons };
}

async function stockReasons(db: Queryable, event: EventEnvelope, derivedTypes: string[]): Promise<string[]> {
  const sku = String(event.data.sku);
  const quantity = Number(event.data.quantity);
  if (derivedTypes.includes('inventory.threshold_crossed')) return [`${sku} crossed a threshold: the derived event below says what it started`];
  const newer = await db.query<{ quantity: number; occurred_at: Date }>(
    `select (data->>'quantity')::int as quantity, occurred_at from events
      where type = 'product.stock_changed' and subject = $1 and occurred_at > $2 and received_at <= $3 order by occurred_at desc limit 1`,
    [sku, event.occurredAt, event.receivedAt],
  );
  if (newer.rows[0]) {
    return [`${sku}: this level (${quantity}) is older than one already applied (${newer.rows[0].quantity} at ${newer.rows[0].occurred_at.toISOString()}), so it changed nothing`];
  }
  const previous = await db.query<{ quantity: number }>(
    `select (data->>'quantity')::int as quantity from events
      where type = 'product.stock_changed' and subject = $1 and id <> $2 and occurred_at <= $3 order by occurred_at desc, seq desc limit 1`,
    [sku, event.id, event.occurredAt],
  );
  const view = await stockView(db, sku);
  if (view.thresholds.length === 0) return [`no published workflow watches the stock of ${sku}`];
  return view.thresholds.map((t) => explainCrossing(sku, previous.rows[0]?.quantity ?? null, quantity, t));
}
