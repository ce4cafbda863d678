/**
 * History generator: makes some history through the real API of a running Tripline, then
 * grows it in SQL to a chosen number of events with the proportions of a store's month
 * (per 100 events: 25 runs with ~94 steps, 50 deliveries with ~55 attempts, 5 audit rows),
 * every row valid against the schema's constraints (keys, checks, uniques, and foreign keys
 * by construction: each row refers to a row that exists).
 *
 * The grown rows are spread evenly over the 29 days before the seeding, oldest first, so
 * seq and time rise together as they do in a live store; everything fits one 30-day
 * retention window (an hourly prune finds nothing to delete).
 *
 * Growth is set-based (generate_series inserts, a few statements per table) and runs with
 * `session_replication_role = replica` so that the per-row activity triggers do not fire a
 * notification per generated row (foreign keys are then not re-checked: the rows are made
 * to satisfy them).
 */
import pg from 'pg';

export const ENDPOINTS = 4;
/** Endpoint 0 never fails: "deliveries filtered by status=failed" on it finds nothing. */
export const CLEAN_ENDPOINT = 0;
/** All of them derived from the event before: a type where rootsOnly finds nothing. */
export const DERIVED_TYPE = 'customer.ltv_tier_changed';
/** An actor with one audit row in a thousand: the substring search has to look far. */
export const RARE_ACTOR = 'zoe.rare@store.example';
export const SPAN_DAYS = 29;

export interface Seeded {
  endpointIds: string[];
  workflowId: string;
}

type Api = <T = any>(path: string, body?: unknown) => Promise<T>;

/** Endpoints (to the loopback receiver), a webhook workflow and a few hundred real events through the API. */
export async function seedThroughApi(api: Api, receiverUrl: string, waitProcessed: () => Promise<void>): Promise<Seeded> {
  const endpointIds: string[] = [];
  for (let i = 0; i < ENDPOINTS; i++) {
    const ep = await api<{ id: string }>('/api/v1/endpoints', { url: `${receiverUrl}/history/${i}`, eventTypes: ['order.*', 'discount.applied'], description: `history ${i}` });
    endpointIds.push(ep.id);
  }
  const graph = {
    nodes: [
      { id: 'trigger', type: 'trigger', config: { eventType: 'discount.applied' } },
      { id: 'big', type: 'condition', config: { rule: { '>': [{ var: 'data.amount' }, 5] } } },
      { id: 'notify', type: 'webhook', config: { endpointId: endpointIds[1] } },
      { id: 'skip', type: 'stop', config: { reason: 'small discount' } },
    ],
    edges: [
      { id: 'e1', source: 'trigger', target: 'big' },
      { id: 'e2', source: 'big', target: 'notify', sourceHandle: 'true' },
      { id: 'e3', source: 'big', target: 'skip', sourceHandle: 'false' },
    ],
  };
  const wf = await api<{ id: string }>('/api/v1/workflows', { name: 'History: discounts → webhook', graph });
  await api(`/api/v1/workflows/${wf.id}/publish`, {});
  const events = Array.from({ length: 200 }, (_, i) =>
    i % 2
      ? { type: 'discount.applied', data: { code: 'HIST10', customerId: `cus_${i % 50}`, amount: 4 + (i % 20), currency: 'EUR' } }
      : { type: 'order.created', data: { orderId: `seed_${i}`, customerId: `cus_${i % 50}`, status: 'paid', total: 20 + i, currency: 'EUR', items: [{ sku: `SKU-${i % 30}`, quantity: 1, price: 20 + i }] } },
  );
  for (let i = 0; i < events.length; i += 100) await api('/api/v1/events', events.slice(i, i + 100));
  await waitProcessed();
  return { endpointIds, workflowId: wf.id };
}

/** Adds events (and their runs, steps, deliveries, attempts, audit rows) until `target` events are stored. */
/**
 * `copies`: write the rows as Tripline stored them before migration 0018 (every delivery with
 * its payload, every attempt with the request body and all its headers), to time that
 * migration on an existing store and to compare the two layouts.
 */
export async function growTo(databaseUrl: string, seeded: Seeded, target: number, say: (s: string) => void = () => {}, opts: { copies?: boolean } = {}): Promise<void> {
  const c = new pg.Client(databaseUrl);
  await c.connect();
  try {
    const have = (await c.query<{ n: number }>('select count(*)::int as n from events')).rows[0]!.n;
    const n = target - have;
    if (n <= 0) return;
    const base = (await c.query<{ n: number }>(`select count(*)::int as n from events where id like 'hist_e_%'`)).rows[0]!.n;
    await c.query(`set session_replication_role = replica`);
    await c.query(`set synchronous_commit = off`);
    // g runs over the new events; t(g) spreads them evenly over SPAN_DAYS ending at the seeding.
    // Values written into the statements as literals (each statement uses a different subset of them).
    const lit = (v: string) => c.escapeLiteral(v);
    const values: Record<string, string> = {
      $1: `${base + 1}`,
      $2: `${base + n}`,
      $3: `${lit(`{${seeded.endpointIds.join(',')}}`)}`,
      $4: lit(seeded.workflowId),
      $5: lit(`${SPAN_DAYS} days`),
      $6: opts.copies ? 'true' : 'false',
    };
    const bind = (sql: string) => sql.replace(/\$[1-6]\b/g, (m) => values[m]!);
    const time = `(now() - interval '10 minutes' - $5::interval + ($5::interval * g / $2::float8))`;
    const t0 = Date.now();
    const step = async (what: string, sql: string) => {
      const s = Date.now();
      const r = await c.query(bind(sql));
      say(`  ${what}: ${(r.rowCount ?? 0).toLocaleString('en-US')} rows in ${((Date.now() - s) / 1000).toFixed(1)} s`);
    };
    await step(
      'events',
      `insert into events (id, type, occurred_at, received_at, source, caused_by, chain, subject, data, processed_at)
       select 'hist_e_' || g, ty, ${time}, ${time}, 'api:bench', cb, case when cb is null then '{}' else array[cb] end, 'cus_' || (g % 5000),
              case when ty = 'order.created' or ty = 'order.paid' then
                     jsonb_build_object('orderId', 'o' || g, 'customerId', 'cus_' || (g % 5000), 'status', 'paid', 'total', g % 500, 'currency', 'EUR',
                                        'items', jsonb_build_array(jsonb_build_object('sku', 'SKU-' || (g % 300), 'quantity', 1 + g % 3, 'price', 10 + g % 90)))
                   when ty = '${DERIVED_TYPE}' then jsonb_build_object('customerId', 'cus_' || (g % 5000), 'from', 'bronze', 'to', 'silver', 'ltv', 200 + g % 300)
                   else jsonb_build_object('customerId', 'cus_' || (g % 5000), 'code', 'HIST10', 'amount', g % 40, 'currency', 'EUR', 'sku', 'SKU-' || (g % 300), 'quantity', g % 80) end,
              ${time} + interval '5 milliseconds'
         from generate_series($1::int, $2::int) g,
              lateral (select (array['order.created', 'order.paid', 'order.created', 'product.stock_changed', 'customer.updated', 'cart.updated',
                                     'discount.applied', 'order.fulfillment_updated', 'order.created', '${DERIVED_TYPE}'])[1 + g % 10] as ty) t,
              lateral (select case when g % 10 = 9 then 'hist_e_' || (g - 1) end as cb) d`,
    );
    // A run for one event in four; four steps each, three for one run in four (3.75 a run).
    await step(
      'runs',
      `insert into runs (id, workflow_id, version, event_id, event_type, subject, status, current_node, error, created_at, updated_at, finished_at)
       select 'hist_r_' || g, $4, 1, 'hist_e_' || g, 'discount.applied', 'cus_' || (g % 5000),
              case when g % 100 = 0 then 'failed' else 'succeeded' end, case when g % 100 = 0 then 'notify' end,
              case when g % 100 = 0 then 'HTTP 503 from the endpoint' end,
              ${time} + interval '8 milliseconds', ${time} + interval '30 milliseconds', ${time} + interval '30 milliseconds'
         from generate_series($1::int, $2::int) g where g % 4 = 0`,
    );
    await step(
      'run_steps',
      `insert into run_steps (run_id, node_id, node_type, seq, status, input, output, started_at, finished_at)
       select 'hist_r_' || g, (array['trigger', 'big', 'notify', 'done'])[s], (array['trigger', 'condition', 'webhook', 'stop'])[s], s,
              case when g % 100 = 0 and s = 3 then 'failed' else 'succeeded' end,
              jsonb_build_object('amount', g % 40, 'customerId', 'cus_' || (g % 5000)),
              case s when 2 then jsonb_build_object('result', true) when 3 then jsonb_build_object('deliveryId', 'hist_d_' || g, 'status', 200) else null end,
              ${time} + interval '9 milliseconds', ${time} + interval '29 milliseconds'
         from generate_series($1::int, $2::int) g, generate_series(1, 4) s where g % 4 = 0 and (s < 4 or g % 16 <> 0)`,
    );
    // A delivery for one event in two, round-robin over the endpoints; endpoint 0 never fails.
    await step(
      'deliveries',
      `insert into deliveries (id, endpoint_id, event_id, event_type, payload, status, attempt_count, last_status_code, last_error, created_at, delivered_at, updated_at)
       select 'hist_d_' || g, ep, e.id, e.type,
              -- A subscription delivery stores no payload: it is built from the event (delivery/lean-storage.ts).
              case when $6 then jsonb_build_object('id', e.id, 'type', e.type, 'timestamp', e.received_at, 'data', e.data) end,
              case when fails then 'failed' else 'succeeded' end, case when g % 20 = 0 then 2 else 1 end,
              case when fails then 503 else 200 end, case when fails then 'HTTP 503' end,
              e.received_at + interval '6 milliseconds', case when not fails then e.received_at + interval '20 milliseconds' end,
              e.received_at + interval '20 milliseconds'
         from generate_series($1::int, $2::int) g
         join events e on e.id = 'hist_e_' || g,
              lateral (select ($3::text[])[1 + (g / 2) % ${ENDPOINTS}] as ep) p,
              lateral (select (g / 2) % ${ENDPOINTS} <> ${CLEAN_ENDPOINT} and g % 40 = 0 as fails) f
        where g % 2 = 0`,
    );
    // One attempt per delivery, two for one in ten (the first one failed).
    await step(
      'delivery_attempts',
      `insert into delivery_attempts (delivery_id, attempt, url, request_headers, request_body, response_status, response_headers, response_body, duration_ms, outcome, error_class, created_at)
       select d.id, a, 'http://127.0.0.1/history',
              -- What the attempter stores (delivery/lean-storage.ts): the request body only when it is not the
              -- delivery's payload (never, here), the headers without those the delivery already tells.
              case when $6 then jsonb_build_object('webhook-id', d.id, 'webhook-timestamp', extract(epoch from d.created_at)::bigint::text,
                                 'webhook-signature', 'v1,' || md5(d.id) || md5(d.event_id), 'content-type', 'application/json', 'user-agent', 'Tripline/0.1')
                   else jsonb_build_object('webhook-timestamp', extract(epoch from d.created_at)::bigint::text, 'webhook-signature', 'v1,' || md5(d.id) || md5(d.event_id)) end,
              case when $6 then d.payload::text end, case when d.status = 'failed' or a < d.attempt_count then 503 else 200 end,
              jsonb_build_object('content-type', 'text/plain'), case when d.status = 'failed' or a < d.attempt_count then 'unavailable' else 'ok' end,
              3 + (length(d.id) * 7 + a) % 40, case when d.status = 'failed' or a < d.attempt_count then 'failed' else 'succeeded' end,
              case when d.status = 'failed' or a < d.attempt_count then 'http' end, d.created_at + a * interval '5 milliseconds'
         from generate_series($1::int, $2::int) g
         join deliveries d on d.id = 'hist_d_' || g, generate_series(1, d.attempt_count) a
        where g % 2 = 0`,
    );
    await step(
      'audit_log',
      `insert into audit_log (at, actor, actor_id, ip, action, target_type, target_id, before, after)
       select ${time}, case when g % 20000 = 0 then '${RARE_ACTOR}' else (array['ana@store.example', 'ops@store.example', 'api key bench', 'marketing@store.example'])[1 + g % 4] end,
              null, '10.0.0.' || (g % 250), (array['workflow.updated', 'endpoint.updated', 'delivery.replayed', 'settings.updated'])[1 + g % 4],
              (array['workflow', 'endpoint', 'delivery', 'setting'])[1 + g % 4], 'hist_' || g,
              jsonb_build_object('name', 'before ' || g), jsonb_build_object('name', 'after ' || g)
         from generate_series($1::int, $2::int) g where g % 20 = 0`,
    );
    await c.query(`set session_replication_role = origin`);
    const s = Date.now();
    await c.query(`vacuum analyze events, runs, run_steps, deliveries, delivery_attempts, audit_log`);
    say(`  vacuum analyze in ${((Date.now() - s) / 1000).toFixed(1)} s; grown by ${n.toLocaleString('en-US')} events in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  } finally {
    await c.end();
  }
}

/** Bytes on disk (tables, indexes, TOAST) of the history tables, per stored event. */
export async function storagePerEvent(databaseUrl: string): Promise<{ events: number; bytesPerEvent: number; historyBytesPerEvent: number; byTable: Record<string, number>; indexes: Record<string, number> }> {
  const c = new pg.Client(databaseUrl);
  await c.connect();
  try {
    const tables = ['events', 'runs', 'run_steps', 'deliveries', 'delivery_attempts', 'audit_log', 'event_minutes', 'run_minutes', 'attempt_minutes', 'endpoint_minutes', 'event_hours', 'run_hours', 'attempt_hours', 'endpoint_hours'];
    const byTable: Record<string, number> = {};
    for (const t of tables) {
      const r = await c.query<{ b: string | null }>(`select pg_total_relation_size(to_regclass($1)) as b`, [t]);
      if (r.rows[0]!.b !== null) byTable[t] = Number(r.rows[0]!.b);
    }
    // The indexes issue 14 adds and drops, to tell what they cost and save.
    const indexes: Record<string, number> = {};
    // …and those 0018 replaces or drops (each name is reported when it exists).
    for (const i of ['runs_seq', 'audit_log_at', 'deliveries_endpoint_status_seq', 'deliveries_endpoint_type_seq', 'deliveries_created_at', 'deliveries_failing_updated', 'runs_created_at', 'events_roots_type_seq', 'events_roots_seq', 'audit_log_actor_trgm',
                     'events_type_seq', 'events_derived_type_seq', 'deliveries_endpoint_unsucceeded_seq', 'deliveries_endpoint_status_created', 'deliveries_subscription_once', 'deliveries_subscription_event',
                     'deliveries_event', 'deliveries_step_event', 'runs_event', 'runs_workflow_id_event_id_key', 'runs_event_workflow', 'runs_status_seq', 'runs_unsucceeded_status_seq', 'delivery_attempts_created']) {
      const r = await c.query<{ b: string | null }>(`select pg_relation_size(to_regclass($1)) as b`, [i]);
      if (r.rows[0]!.b !== null) indexes[i] = Number(r.rows[0]!.b);
    }
    const events = (await c.query<{ n: number }>('select count(*)::int as n from events')).rows[0]!.n;
    const total = Object.values(byTable).reduce((a, b) => a + b, 0);
    // The issue's measure: the six history tables, without the rollups (those grow per endpoint-minute, not per event).
    const history = ['events', 'runs', 'run_steps', 'deliveries', 'delivery_attempts', 'audit_log'].reduce((a, t) => a + (byTable[t] ?? 0), 0);
    return { events, bytesPerEvent: Math.round(total / events), historyBytesPerEvent: Math.round(history / events), byTable, indexes };
  } finally {
    await c.end();
  }
}
