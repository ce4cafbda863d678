import type { EventEnvelope } from '@tripline/shared';
import { matchesTrigger } from '../matching.ts';
import { buildScope } from '../runs/scope.ts';
import { explainCrossing, stockView } from './stock.ts';
import { newerStockLevel, previousStockLevel } from '../../db/event-reads.ts';
import type { Queryable } from '../../db/queryable.ts';
import { idleDraftsOn, triggersOn } from '../../db/workflows.ts';

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

  const triggers = await triggersOn(db, event.type);
  if (triggers.length > 0) {
    const scope = await buildScope(db, event, {});
    for (const t of triggers) reasons.push(`“${t.name}”: ${matchesTrigger(t.config, event, scope) ?? 'its trigger matches now (the state it reads changed since)'}`);
  }
  const idle = await idleDraftsOn(db, event.type);
  for (const w of idle) reasons.push(`“${w.name}” listens to ${event.type} in its draft but ${w.published ? (w.enabled ? 'its live version does not' : 'is disabled') : 'was never published'}`);

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
  const newer = await newerStockLevel(db, sku, event.occurredAt, event.receivedAt);
  if (newer) {
    return [`${sku}: this level (${quantity}) is older than one already applied (${newer.quantity} at ${newer.occurred_at.toISOString()}), so it changed nothing`];
  }
  const previous = await previousStockLevel(db, sku, event.id, event.occurredAt);
  const view = await stockView(db, sku);
  if (view.thresholds.length === 0) return [`no published workflow watches the stock of ${sku}`];
  return view.thresholds.map((t) => explainCrossing(sku, previous ?? null, quantity, t));
}
