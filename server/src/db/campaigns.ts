import type { Campaign } from '@tripline/shared';
import type { Queryable } from './queryable.ts';

/** SQL of the campaigns family (campaigns, campaign_activations, segments). */

export interface CampaignRow {
  id: string;
  name: string;
  kind: Campaign['kind'];
  status: Campaign['status'];
  description: string | null;
  schedule: CampaignSchedule | null;
  audience: Record<string, unknown> | null;
  active_until: Date | null;
  store_effects: Record<string, unknown> | null;
  created_at: Date;
  updated_at: Date;
}

// A type, not an interface: it is then assignable to the API's Record<string, unknown>.
export type CampaignSchedule = { startsAt?: string; endsAt?: string };

export interface ActivationRow {
  id: string;
  campaign_id: string;
  action: 'activate' | 'deactivate';
  run_id: string | null;
  user_id: string | null;
  actor: string | null;
  customer_id: string | null;
  segment: string | null;
  until: Date | null;
  created_at: Date;
}

export interface CampaignFields {
  name: string;
  kind: string;
  description: string | null;
  schedule: object | null;
  audience: object | null;
  storeEffects?: object | null;
}

const json = (value: object | null | undefined) => (value ? JSON.stringify(value) : null);

export async function findCampaign(db: Queryable, id: string, lock = false): Promise<CampaignRow | undefined> {
  const { rows } = await db.query<CampaignRow>(`select * from campaigns where id = $1${lock ? ' for update' : ''}`, [id]);
  return rows[0];
}

export async function listCampaigns(db: Queryable): Promise<CampaignRow[]> {
  const { rows } = await db.query<CampaignRow>('select * from campaigns order by name');
  return rows;
}

export async function insertCampaign(db: Queryable, id: string, c: CampaignFields): Promise<void> {
  await db.query('insert into campaigns (id, name, kind, description, schedule, audience, store_effects) values ($1, $2, $3, $4, $5, $6, $7)', [
    id,
    c.name,
    c.kind,
    c.description,
    json(c.schedule),
    json(c.audience),
    json(c.storeEffects),
  ]);
}

/** Seeds campaigns with a given status; ones that exist already are left alone. */
export async function insertCampaignsIfAbsent(db: Queryable, campaigns: { id: string; name: string; kind: string; status: string; description: string }[]): Promise<void> {
  await db.query(
    `insert into campaigns (id, name, kind, status, description)
     select * from unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[]) on conflict do nothing`,
    [campaigns.map((c) => c.id), campaigns.map((c) => c.name), campaigns.map((c) => c.kind), campaigns.map((c) => c.status), campaigns.map((c) => c.description)],
  );
}

/** Changes the fields given; one left undefined keeps its value. */
export async function updateCampaign(db: Queryable, id: string, c: Partial<CampaignFields>): Promise<void> {
  await db.query(
    `update campaigns set name = coalesce($2, name), kind = coalesce($3, kind), description = coalesce($4, description),
       schedule = coalesce($5, schedule), audience = coalesce($6, audience), store_effects = coalesce($7, store_effects), updated_at = now() where id = $1`,
    [id, c.name ?? null, c.kind ?? null, c.description ?? null, json(c.schedule), json(c.audience), json(c.storeEffects)],
  );
}

/** Sets the status; answers the campaign's name, or undefined when it does not exist. */
export async function setCampaignStatus(db: Queryable, id: string, status: string, activeUntil: Date | null): Promise<string | undefined> {
  const { rows } = await db.query<{ name: string }>(`update campaigns set status = $2, active_until = $3, updated_at = now() where id = $1 returning name`, [
    id,
    status,
    activeUntil,
  ]);
  return rows[0]?.name;
}

/** An inactive campaign with a start in the future shows as scheduled. */
export async function markScheduled(db: Queryable, id: string): Promise<void> {
  await db.query(`update campaigns set status = 'scheduled' where id = $1 and status = 'inactive'`, [id]);
}

export async function lockSchedule(db: Queryable, id: string): Promise<CampaignSchedule | null | undefined> {
  const { rows } = await db.query<{ schedule: CampaignSchedule | null }>('select schedule from campaigns where id = $1 for update', [id]);
  return rows[0] ? rows[0].schedule : undefined;
}

export async function insertActivation(db: Queryable, a: Omit<ActivationRow, 'created_at'>): Promise<void> {
  await db.query(
    `insert into campaign_activations (id, campaign_id, action, run_id, user_id, actor, customer_id, segment, until)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
    [a.id, a.campaign_id, a.action, a.run_id, a.user_id, a.actor, a.customer_id, a.segment, a.until],
  );
}

export async function latestActivationId(db: Queryable, campaignId: string): Promise<string | undefined> {
  const { rows } = await db.query<{ id: string }>(`select id from campaign_activations where campaign_id = $1 order by created_at desc, id desc limit 1`, [campaignId]);
  return rows[0]?.id;
}

export async function listActivations(db: Queryable, campaignId: string): Promise<ActivationRow[]> {
  const { rows } = await db.query<ActivationRow>('select * from campaign_activations where campaign_id = $1 order by created_at desc limit 200', [campaignId]);
  return rows;
}

export async function listSegments(db: Queryable): Promise<{ name: string; description: string | null; rule: unknown }[]> {
  const { rows } = await db.query<{ name: string; description: string | null; rule: unknown }>('select name, description, rule from segments order by name');
  return rows;
}

/** False when a segment of that name exists already. */
export async function insertSegment(db: Queryable, s: { name: string; description: string | null; rule: unknown }): Promise<boolean> {
  const { rowCount } = await db.query('insert into segments (name, description, rule) values ($1, $2, $3) on conflict do nothing', [s.name, s.description, JSON.stringify(s.rule)]);
  return Boolean(rowCount);
}
