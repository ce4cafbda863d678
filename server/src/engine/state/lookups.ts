
/** Read-only views of state for the lookup step (the customer's is customerView in customers.ts). */

import type { Queryable } from '../../db/queryable.ts';

export async function loadProductView(db: Queryable, sku: string) {
  const { rows } = await db.query<{ sku: string; quantity: number; category: string | null; last_event_at: Date }>(
    'select sku, quantity, category, last_event_at from product_state where sku = $1',
    [sku],
  );
  const p = rows[0];
  return p ? { sku: p.sku, quantity: p.quantity, category: p.category, updatedAt: p.last_event_at.toISOString() } : null;
}

export async function loadCampaignView(db: Queryable, id: string) {
  const { rows } = await db.query<{ id: string; name: string; kind: string; status: string; active_until: Date | null }>(
    'select id, name, kind, status, active_until from campaigns where id = $1',
    [id],
  );
  const c = rows[0];
  return c ? { id: c.id, name: c.name, kind: c.kind, status: c.status, activeUntil: c.active_until?.toISOString() ?? null } : null;
}
