import type { PortalLink } from '@tripline/shared';
import type { EndpointRow } from './endpoints.ts';
import type { Queryable } from './queryable.ts';

/**
 * SQL of the partner portal: portal_links and portal_link_endpoints (tokens are stored only
 * as their SHA-256), and the reads of endpoints and deliveries a link's scope needs.
 */

export interface LinkRow {
  id: string;
  name: string | null;
  token_prefix: string;
  frame_ancestors: string[];
  rate_limit_per_minute: number;
  created_at: Date;
  created_by: string | null;
  expires_at: Date;
  revoked_at: Date | null;
  last_used_at: Date | null;
  endpoint_ids: string[];
}

const LINK_COLUMNS = `l.id, l.name, l.token_prefix, l.frame_ancestors, l.rate_limit_per_minute, l.created_at, l.created_by,
  l.expires_at, l.revoked_at, l.last_used_at,
  array(select e.endpoint_id from portal_link_endpoints e where e.link_id = l.id order by e.endpoint_id) as endpoint_ids`;

export function toPortalLink(row: LinkRow): PortalLink {
  const status = row.revoked_at ? 'revoked' : row.expires_at.getTime() <= Date.now() ? 'expired' : 'active';
  return {
    id: row.id,
    name: row.name,
    endpointIds: row.endpoint_ids,
    pageUrl: `/portal/${row.id}`,
    tokenPrefix: row.token_prefix,
    frameAncestors: row.frame_ancestors,
    rateLimitPerMinute: row.rate_limit_per_minute,
    status,
    createdAt: row.created_at.toISOString(),
    createdBy: row.created_by,
    expiresAt: row.expires_at.toISOString(),
    revokedAt: row.revoked_at?.toISOString() ?? null,
    lastUsedAt: row.last_used_at?.toISOString() ?? null,
  };
}

export interface NewLink {
  id: string;
  name: string | null;
  tokenHash: string;
  tokenPrefix: string;
  endpointIds: string[];
  frameAncestors: string[];
  rateLimitPerMinute: number;
  expiresInMinutes: number;
  createdBy: string;
}

export async function insertLink(tx: Queryable, link: NewLink): Promise<LinkRow> {
  await tx.query(
    `insert into portal_links (id, name, token_hash, token_prefix, frame_ancestors, rate_limit_per_minute, created_by, expires_at)
     values ($1, $2, $3, $4, $5, $6, $7, now() + make_interval(mins => $8))`,
    [link.id, link.name, link.tokenHash, link.tokenPrefix, link.frameAncestors, link.rateLimitPerMinute, link.createdBy, link.expiresInMinutes],
  );
  // Each endpoint's event types and filter as they are now: the ceiling the partner may narrow.
  await tx.query(
    `insert into portal_link_endpoints (link_id, endpoint_id, ceiling_event_types, ceiling_filter)
     select $1, e.id, e.event_types, e.filter from endpoints e where e.id = any($2::text[]) on conflict do nothing`,
    [link.id, link.endpointIds],
  );
  return (await findLink(tx, link.id))!;
}

export async function findLink(db: Queryable, id: string): Promise<LinkRow | undefined> {
  const { rows } = await db.query<LinkRow>(`select ${LINK_COLUMNS} from portal_links l where l.id = $1`, [id]);
  return rows[0];
}

/** Newest first; only the links that show `endpointId` when it is given. */
export async function listLinks(db: Queryable, endpointId: string | undefined): Promise<LinkRow[]> {
  const { rows } = await db.query<LinkRow>(
    `select ${LINK_COLUMNS} from portal_links l
      where $1::text is null or exists (select 1 from portal_link_endpoints e where e.link_id = l.id and e.endpoint_id = $1)
      order by l.created_at desc, l.id limit 500`,
    [endpointId ?? null],
  );
  return rows;
}

/** Revokes at once; undefined when the link was already revoked (or does not exist). */
export async function revokeLink(tx: Queryable, id: string): Promise<LinkRow | undefined> {
  const { rows } = await tx.query<{ id: string }>(`update portal_links set revoked_at = now() where id = $1 and revoked_at is null returning id`, [id]);
  return rows[0] ? findLink(tx, id) : undefined;
}

export async function existingEndpointIds(db: Queryable, ids: string[]): Promise<Set<string>> {
  const { rows } = await db.query<{ id: string }>(`select id from endpoints where id = any($1::text[])`, [ids]);
  return new Set(rows.map((r) => r.id));
}

export interface ActiveLink {
  id: string;
  name: string | null;
  endpoint_ids: string[];
  expires_at: Date;
  rate_limit_per_minute: number;
  rate_hits: number;
}

/**
 * The link a token opens, while it is neither expired nor revoked, counting this request
 * in the link's per-minute window (one statement: the row lock orders concurrent requests,
 * so the count holds across any number of API processes).
 */
export async function useActiveLink(db: Queryable, tokenHash: string): Promise<ActiveLink | undefined> {
  const { rows } = await db.query<ActiveLink>(
    `update portal_links l set
        rate_hits = case when l.rate_window_start = date_trunc('minute', now()) then l.rate_hits + 1 else 1 end,
        rate_window_start = date_trunc('minute', now()),
        last_used_at = now()
      where l.token_hash = $1 and l.revoked_at is null and l.expires_at > now()
      returning l.id, l.name, l.expires_at, l.rate_limit_per_minute, l.rate_hits,
        array(select e.endpoint_id from portal_link_endpoints e where e.link_id = l.id order by e.endpoint_id) as endpoint_ids`,
    [tokenHash],
  );
  return rows[0];
}

/** The origins a live link lets embed its page; undefined for an unknown, expired or revoked link. */
export async function frameAncestorsOf(db: Queryable, id: string): Promise<string[] | undefined> {
  const { rows } = await db.query<{ frame_ancestors: string[] }>(
    `select frame_ancestors from portal_links where id = $1 and revoked_at is null and expires_at > now()`,
    [id],
  );
  return rows[0]?.frame_ancestors;
}

/** The endpoint a delivery belongs to (a delivery never moves to another endpoint). */
export async function deliveryEndpointId(db: Queryable, deliveryId: string): Promise<string | undefined> {
  const { rows } = await db.query<{ endpoint_id: string }>(`select endpoint_id from deliveries where id = $1`, [deliveryId]);
  return rows[0]?.endpoint_id;
}

/** The link's endpoints, newest first. */
export async function endpointsByIds(db: Queryable, ids: string[]): Promise<EndpointRow[]> {
  const { rows } = await db.query<EndpointRow>('select * from endpoints where id = any($1::text[]) order by created_at desc, id', [ids]);
  return rows;
}

/** Every event type pattern the given endpoints subscribe to. */
/**
 * The trigger event types of the enabled, published workflows whose live version has a
 * webhook step sending to one of these endpoints: what arrives there through a workflow.
 */
export async function workflowEventTypesTo(db: Queryable, endpointIds: string[]): Promise<Set<string>> {
  const { rows } = await db.query<{ event_type: string }>(
    `select distinct t.event_type from workflow_triggers t
       join workflow_versions v on v.workflow_id = t.workflow_id and v.version = t.version
      where exists (select 1 from jsonb_array_elements(v.graph->'nodes') n
                     where n->>'type' = 'webhook' and n->'config'->>'endpointId' = any($1::text[]))`,
    [endpointIds],
  );
  return new Set(rows.map((r) => r.event_type));
}

export async function subscribedPatterns(db: Queryable, endpointIds: string[]): Promise<Set<string>> {
  const { rows } = await db.query<{ event_types: string[] }>('select event_types from endpoints where id = any($1::text[])', [endpointIds]);
  return new Set(rows.flatMap((r) => r.event_types));
}

/** What the admin allowed an endpoint when they shared it through this link. */
export interface PortalCeiling {
  eventTypes: string[];
  filter: unknown;
}

export async function linkCeiling(db: Queryable, linkId: string, endpointId: string): Promise<PortalCeiling | undefined> {
  const { rows } = await db.query<{ ceiling_event_types: string[]; ceiling_filter: unknown }>(
    'select ceiling_event_types, ceiling_filter from portal_link_endpoints where link_id = $1 and endpoint_id = $2',
    [linkId, endpointId],
  );
  return rows[0] && { eventTypes: rows[0].ceiling_event_types, filter: rows[0].ceiling_filter ?? null };
}

/**
 * Counts a recover against the link's hourly allowance (one statement, under the row lock, so
 * it holds across API processes); answers the seconds to wait when the allowance is spent.
 */
export async function takeRecoverSlot(db: Queryable, linkId: string, perHour: number): Promise<number | undefined> {
  const { rows } = await db.query<{ recover_hits: number; wait: number }>(
    `update portal_links set
        recover_hits = case when recover_window_start > now() - interval '1 hour' then recover_hits + 1 else 1 end,
        recover_window_start = case when recover_window_start > now() - interval '1 hour' then recover_window_start else now() end
      where id = $1
      returning recover_hits, extract(epoch from (recover_window_start + interval '1 hour' - now()))::float8 as wait`,
    [linkId],
  );
  const row = rows[0];
  return row && row.recover_hits > perHour ? Math.max(1, Math.ceil(row.wait)) : undefined;
}
