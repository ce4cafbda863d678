import type { Queryable } from '../../db/queryable.ts';


export interface WatchedThreshold {
  threshold: number;
  direction: 'below' | 'above';
  /** False once it fired; it re-arms when stock crosses back. Null: no stock level seen since it was first watched. */
  armed: boolean | null;
  /** The live workflows whose trigger watches it. */
  workflows: string[];
}

export interface StockView {
  sku: string;
  quantity: number | null;
  category: string | null;
  lastEventAt: string | null;
  thresholds: WatchedThreshold[];
}

/**
 * A SKU's stock as the engine sees it: the last applied level and every threshold a live
 * trigger watches for it, with whether each is armed (will fire at the next crossing).
 */
export async function stockView(db: Queryable, sku: string): Promise<StockView> {
  const product = await db.query<{ quantity: number; category: string | null; last_event_at: Date }>(
    'select quantity, category, last_event_at from product_state where sku = $1',
    [sku],
  );
  const p = product.rows[0];
  const watched = await db.query<{ threshold: number; direction: 'below' | 'above'; fired: boolean | null; workflows: string[] }>(
    `select (t.config->>'threshold')::int as threshold, t.config->>'direction' as direction, s.fired,
            array_agg(distinct w.name order by w.name) as workflows
       from workflow_triggers t
       join workflows w on w.id = t.workflow_id
       left join threshold_state s on s.sku = $1 and s.threshold = (t.config->>'threshold')::int and s.direction = t.config->>'direction'
      where t.event_type = 'inventory.threshold_crossed'
        and (coalesce(t.config->>'sku', '') = '' or t.config->>'sku' = $1)
        and (coalesce(t.config->>'category', '') = '' or t.config->>'category' = $2)
      group by 1, 2, 3
      order by 1, 2`,
    [sku, p?.category ?? null],
  );
  return {
    sku,
    quantity: p?.quantity ?? null,
    category: p?.category ?? null,
    lastEventAt: p?.last_event_at.toISOString() ?? null,
    thresholds: watched.rows.map((r) => ({ threshold: r.threshold, direction: r.direction, armed: r.fired === null ? null : !r.fired, workflows: r.workflows })),
  };
}

/**
 * Why one stock level did or did not cross a watched threshold, in the words of the event
 * page: "TEE-BLK-M 8 → 7: already below 10; fires again after it rises to 10 or more".
 */
export function explainCrossing(sku: string, previous: number | null, quantity: number, t: { threshold: number; direction: 'below' | 'above' }): string {
  const from = previous === null ? `${sku} (first level seen) ${quantity}` : `${sku} ${previous} → ${quantity}`;
  const beyond = (q: number) => (t.direction === 'below' ? q < t.threshold : q > t.threshold);
  const side = t.direction === 'below' ? `below ${t.threshold}` : `above ${t.threshold}`;
  const back = t.direction === 'below' ? `rises to ${t.threshold} or more` : `falls to ${t.threshold} or less`;
  if (!beyond(quantity)) return `${from}: not ${side}; fires when it goes ${side}`;
  if (previous !== null && beyond(previous)) return `${from}: already ${side}; fires again after it ${back}`;
  return `${from}: ${side}, but this threshold had already fired and has not re-armed; it fires again after stock ${back}`;
}
