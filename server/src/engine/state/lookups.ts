import { findCampaign } from '../../db/campaigns.ts';
import type { Queryable } from '../../db/queryable.ts';
import { findProductState } from '../../db/state.ts';

/** Read-only views of state for the lookup step (the customer's is customerView in customers.ts). */

export async function loadProductView(db: Queryable, sku: string) {
  const p = await findProductState(db, sku);
  return p ? { sku: p.sku, quantity: p.quantity, category: p.category, updatedAt: p.last_event_at.toISOString() } : null;
}

export async function loadCampaignView(db: Queryable, id: string) {
  const c = await findCampaign(db, id);
  return c ? { id: c.id, name: c.name, kind: c.kind, status: c.status, activeUntil: c.active_until?.toISOString() ?? null } : null;
}
