import type { Queryable } from './queryable.ts';
import type { TriggerRow } from './runs.ts';
import type { CustomerRow } from './state.ts';

/**
 * The reads an event batch needs before its first event, in ONE statement: the routing rows
 * of its event types, which of those types a run waits for, the settings and segment rules
 * the engine applies, the ledger entries of its orders, the customers it only reads and the
 * endpoints subscribed to its types.
 * Each was a round trip of its own inside the batch's transaction, paid once per type or per
 * batch; at a store's steady rate a batch holds a handful of events, so they were about 40 %
 * of its statements (issue 25).
 */
export interface BatchReadsQuery {
  types: string[];
  settingKeys: string[];
  orderIds: string[];
  /** Customers read without a lock (the batch changes none of them). */
  customerIds: string[];
  /** Subscription patterns of the batch's types (delivery/fan-out.ts subscriptionPatterns). */
  patterns: string[];
}

export interface BatchReads {
  triggers: Map<string, TriggerRow[]>;
  waitedTypes: Set<string>;
  /** Stored setting values as saved (parse with settings.ts); a key never set is absent. */
  settings: Map<string, unknown>;
  segments: { name: string; rule: unknown }[];
  ledger: Map<string, { counted: boolean }>;
  customers: CustomerRow[];
  /** Enabled endpoints subscribed to any of `patterns`. */
  subscriptions: { id: string; event_types: string[]; filter: unknown }[];
}

/** Prefixed: customer_state has a `segments` column of its own. */
interface ContextRow {
  batch_triggers: (TriggerRow & { event_type: string })[];
  batch_waited: string[];
  batch_settings: Record<string, unknown>;
  batch_segments: { name: string; rule: unknown }[];
  batch_ledger: { order_id: string; counted: boolean }[];
  batch_subscriptions: { id: string; event_types: string[]; filter: unknown }[];
}

const CONTEXT = ['batch_triggers', 'batch_waited', 'batch_settings', 'batch_segments', 'batch_ledger', 'batch_subscriptions'];

/**
 * The aggregates come once (the CTE), on the first row only, and the read customers as rows
 * beside them, so their columns keep the driver's types (timestamps as Dates) as CustomerRow
 * expects. Without any such customer the left join still yields the one context row.
 */
export async function readBatch(db: Queryable, q: BatchReadsQuery): Promise<BatchReads> {
  const { rows } = await db.query<ContextRow & { customer_id: string | null }>(
    `with ctx as (
       select
         (select coalesce(json_agg(t order by t.event_type, t.workflow_id), '[]'::json)
            from (select event_type, workflow_id, version, config from workflow_triggers where event_type = any($1::text[])) t) as batch_triggers,
         array(select x from unnest($1::text[]) x where exists (select 1 from run_waits w where w.event_type = x)) as batch_waited,
         (select coalesce(json_object_agg(key, value), '{}'::json) from settings where key = any($2::text[])) as batch_settings,
         (select coalesce(json_agg(s order by s.name), '[]'::json) from (select name, rule from segments) s) as batch_segments,
         (select coalesce(json_agg(l), '[]'::json)
            from (select order_id, counted_at <> '-infinity' as counted from order_ledger where order_id = any($3::text[])) l) as batch_ledger,
         (select coalesce(json_agg(e), '[]'::json)
            from (select id, event_types, filter from endpoints where enabled and event_types && $5::text[]) e) as batch_subscriptions
     )
     select ${CONTEXT.map((k) => `case when c.n is null or c.n = 1 then ctx.${k} end as ${k}`).join(', ')}, c.*
       from ctx left join (select *, row_number() over () as n from customer_state where customer_id = any($4::text[])) c on true`,
    [q.types, q.settingKeys, q.orderIds, q.customerIds, q.patterns],
  );
  const first = rows.find((r) => r.batch_triggers !== null)!;
  const triggers = new Map<string, TriggerRow[]>(q.types.map((t) => [t, []]));
  for (const { event_type, ...row } of first.batch_triggers) triggers.get(event_type)?.push(row);
  return {
    triggers,
    waitedTypes: new Set(first.batch_waited),
    settings: new Map(Object.entries(first.batch_settings)),
    segments: first.batch_segments,
    ledger: new Map(first.batch_ledger.map((l) => [l.order_id, { counted: l.counted }])),
    customers: rows.filter((r) => r.customer_id !== null).map((r) => customerColumns(r)),
    subscriptions: first.batch_subscriptions,
  };
}

function customerColumns(row: object): CustomerRow {
  return Object.fromEntries(Object.entries(row).filter(([k]) => !k.startsWith('batch_') && k !== 'n')) as unknown as CustomerRow;
}
