import type { Stats } from '@tripline/shared';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate } from '../../src/db/migrate.ts';
import { createPool } from '../../src/db/pool.ts';
import { pruneOnce } from '../../src/console/retention.ts';
import { foldRollups, histogramMedian, LATENCY_BOUNDS_MS } from '../../src/db/rollups.ts';
import { startTestTripline, type TestTripline } from '../support/tripline.ts';

let t: TestTripline;
let db: pg.Client;
beforeAll(async () => {
  t = await startTestTripline();
  db = new pg.Client(t.databaseUrl);
  await db.connect();
  await db.query(`insert into workflows (id, name, draft) values ('wf_h', 'History', '{"nodes":[],"edges":[]}')`);
  await db.query(
    `insert into endpoints (id, url, secret_enc, created_at) values
       ('ep_h1', 'https://example.com/one', 'x', now() - interval '1 day'), ('ep_h2', 'https://example.com/two', 'x', now())`,
  );
});
afterAll(async () => {
  await db?.end();
  await t?.stop();
});

/** Two passes with no settle delay: the first notes the newest rows, the second folds them. */
const foldNow = async (pool = t.ctx.pool) => {
  await foldRollups(pool, 0);
  await foldRollups(pool, 0);
};
const json = async <T>(path: string) => {
  const res = await t.api(path);
  expect(res.status).toBe(200);
  return (await res.json()) as T;
};
const health = async () => (await json<{ data: { endpointId: string; attempts: number; successRate: number | null; p50LatencyMs: number | null; lastFailureError: string | null }[] }>('/api/v1/endpoints/health')).data;
/**
 * The dashboard's figures, with the empty buckets of its time series left out: a window
 * reads up to now, so between two reads a minute boundary can slide it by one empty bucket
 * at each end, which is not a change of figures.
 */
const figures = async () => withoutEmptyBuckets({ hour: await json<Stats>('/api/v1/stats?window=1h'), week: await json<Stats>('/api/v1/stats?window=7d'), health: await health() });
function withoutEmptyBuckets<T>(value: T): T {
  if (Array.isArray(value)) {
    const empty = (x: unknown) =>
      x !== null && typeof x === 'object' && 'at' in x && Object.entries(x).every(([k, v]) => k === 'at' || v === 0 || v === null);
    return value.filter((x) => !empty(x)).map(withoutEmptyBuckets) as T;
  }
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, withoutEmptyBuckets(v)])) as T;
  return value;
}

describe('dashboard and endpoint health from rollups', () => {
  it('show the same figures before the fold (raw rows), after it, after folding again and after two processes fold at once', async () => {
    await db.query(
      `insert into events (id, type, occurred_at, received_at, source, data)
       select 'evt_h_' || g, 'order.created', now(), now() - (g % 5) * interval '1 minute' - (g % 3) * interval '1 day', 'test', '{}'
         from generate_series(1, 40) g`,
    );
    await db.query(
      `insert into runs (id, workflow_id, version, event_id, event_type, status, finished_at)
       select 'run_h_' || g, 'wf_h', 1, 'evt_h_' || g, 'order.created', case when g % 4 = 0 then 'failed' else 'succeeded' end, now()
         from generate_series(1, 12) g`,
    );
    await db.query(
      `insert into deliveries (id, endpoint_id, event_id, event_type, payload, status)
       select 'msg_h_' || g, case when g % 2 = 0 then 'ep_h1' else 'ep_h2' end, 'evt_h_' || g, 'order.created', '{}', 'succeeded'
         from generate_series(1, 10) g`,
    );
    await db.query(
      `insert into delivery_attempts (delivery_id, attempt, url, request_headers, request_body, duration_ms, outcome, response_status, created_at)
       select 'msg_h_' || (g % 10 + 1), 1, 'https://example.com', '{}', '{}', 10 + g, case when g % 5 = 0 then 'failed' else 'succeeded' end,
              case when g % 5 = 0 then 503 else 200 end, now() - (g % 7) * interval '1 minute'
         from generate_series(1, 30) g`,
    );

    const raw = await figures();
    expect(raw.week.totals.events).toBe(40);
    expect(raw.hour.totals.runsFailed).toBe(3);
    expect(raw.week.totals.attemptsFailed).toBe(6);
    const one = raw.health.find((h) => h.endpointId === 'ep_h1')!;
    expect(one.attempts).toBe(15);
    expect(one.lastFailureError).toBe('HTTP 503');

    await foldNow();
    const folded = (await db.query<{ n: number }>(`select sum(count)::int as n from event_minutes`)).rows[0]!.n;
    expect(folded).toBe(40);
    expect(await figures()).toEqual(raw);

    await foldNow();
    expect(await figures()).toEqual(raw);

    // New rows after a fold: read from the raw tail until the next fold, then from the rollups.
    await db.query(
      `insert into delivery_attempts (delivery_id, attempt, url, request_headers, request_body, duration_ms, outcome, error)
       values ('msg_h_2', 2, 'https://example.com', '{}', '{}', 5, 'failed', 'connection refused')`,
    );
    const withTail = await figures();
    expect(withTail.health.find((h) => h.endpointId === 'ep_h1')!.lastFailureError).toBe('connection refused');
    const second = createPool(t.databaseUrl, 2);
    try {
      await Promise.all([foldNow(), foldNow(second)]);
    } finally {
      await second.end();
    }
    expect(await figures()).toEqual(withTail);
    expect(withTail.week.totals.attemptsFailed).toBe(7);
  });

  it('reads the median latency from the histogram, inside the bucket that holds it', () => {
    const hist = LATENCY_BOUNDS_MS.map(() => 0);
    expect(histogramMedian(hist)).toBeNull();
    hist[LATENCY_BOUNDS_MS.indexOf(20)] = 4; // four attempts between 20 and 30 ms
    const p50 = histogramMedian(hist)!;
    expect(p50).toBeGreaterThanOrEqual(20);
    expect(p50).toBeLessThan(30);
  });
});

describe('retention at scale', () => {
  it('never deletes an event not processed yet, and prunes rollup minutes older than retention', async () => {
    expect((await t.api('/api/v1/settings/retentionDays', { method: 'PUT', json: { value: 2 } })).status).toBe(200);
    await db.query(
      // The unprocessed one is parked (its attempts ran out), so the running engine does not
      // process it (and derive events from it) before the prune looks at it.
      `insert into events (id, type, occurred_at, received_at, source, data, processed_at, attempts, last_error, failed_at) values
         ('evt_r_done', 'order.paid', now() - interval '5 days', now() - interval '5 days', 'test', '{}', now() - interval '5 days', 0, null, null),
         ('evt_r_pending', 'order.paid', now() - interval '5 days', now() - interval '5 days', 'test', '{}', null, 10, 'kept failing', now())`,
    );
    await db.query(`insert into event_hours (at, count) values (date_trunc('hour', now() - interval '5 days'), 3) on conflict do nothing`);
    await pruneOnce(t.ctx.pool);
    const left = (await db.query<{ id: string }>(`select id from events where id like 'evt_r_%'`)).rows.map((r) => r.id);
    expect(left).toEqual(['evt_r_pending']);
    const old = (await db.query<{ n: number }>(`select count(*)::int as n from event_hours where at < date_trunc('hour', now() - interval '2 days')`)).rows[0]!.n;
    expect(old).toBe(0);
    expect((await t.api('/api/v1/settings/retentionDays', { method: 'PUT', json: { value: 30 } })).status).toBe(200);
  });
});

describe('list reads over history', () => {
  it('lists exactly the runs of a time range, newest first, page after page', async () => {
    await db.query(
      `insert into runs (id, workflow_id, version, event_id, event_type, status, created_at, finished_at)
       select 'run_t_' || lpad(g::text, 3, '0'), 'wf_h', 1, 'evt_t_' || g, 'order.paid', 'succeeded',
              timestamptz '2026-01-01T00:00:00Z' + g * interval '1 minute', timestamptz '2026-01-01T00:00:00Z' + g * interval '1 minute'
         from generate_series(1, 300) g`,
    );
    const since = '2026-01-01T01:00:00Z'; // run 60
    const until = '2026-01-01T03:00:00Z'; // before run 180
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { data: { id: string }[]; nextCursor: string | null } = await json(
        `/api/v1/runs?since=${since}&until=${until}&limit=50${cursor ? `&cursor=${cursor}` : ''}`,
      );
      seen.push(...page.data.map((r) => r.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toHaveLength(120);
    expect(seen[0]).toBe('run_t_179');
    expect(seen.at(-1)).toBe('run_t_060');
  });

  it('filters an endpoint deliveries by status and by event type', async () => {
    const failed = await json<{ data: { id: string }[] }>('/api/v1/endpoints/ep_h1/deliveries?status=failed');
    expect(failed.data).toEqual([]);
    const byType = await json<{ data: { id: string }[] }>('/api/v1/endpoints/ep_h1/deliveries?eventType=order.created&limit=2');
    expect(byType.data.map((d) => d.id)).toEqual(['msg_h_10', 'msg_h_8']);
    expect((await json<{ data: unknown[] }>('/api/v1/endpoints/ep_h1/deliveries?eventType=never.stored')).data).toEqual([]);
  });

  it('lists root events of a type, leaving derived ones out', async () => {
    await db.query(
      `insert into events (id, type, occurred_at, source, caused_by, data) values
         ('evt_root_1', 'customer.updated', now(), 'test', null, '{}'),
         ('evt_derived_1', 'customer.updated', now(), 'test', 'evt_root_1', '{}')`,
    );
    const page = await json<{ data: { id: string }[] }>('/api/v1/events?type=customer.updated&rootsOnly=true');
    expect(page.data.map((e) => e.id)).toEqual(['evt_root_1']);
  });

  it('lists every event of a type, roots and derived ones merged newest first, page after page', async () => {
    await db.query(
      `insert into events (id, type, occurred_at, source, caused_by, data)
       select 'evt_mix_' || g, 'cart.updated', now(), 'test', case when g % 3 = 0 then 'evt_mix_' || (g - 1) end, '{}' from generate_series(1, 7) g`,
    );
    type Page = { data: { id: string }[]; nextCursor: string | null };
    const first = await json<Page>('/api/v1/events?type=cart.updated&limit=4');
    const second = await json<Page>(`/api/v1/events?type=cart.updated&limit=4&cursor=${first.nextCursor}`);
    expect([...first.data, ...second.data].map((e) => e.id)).toEqual([7, 6, 5, 4, 3, 2, 1].map((g) => `evt_mix_${g}`));
    expect(second.nextCursor).toBeNull();
  });
});

describe('migrations 0016 and 0018 on a database with history', () => {
  it('apply to a database already holding rows, building valid indexes and dropping the duplicates', async () => {
    // Put this database back as it was before 0016 and 0018, with history in it, and migrate again.
    await db.query(`drop table rollup_watermarks, event_minutes, run_minutes, attempt_minutes, endpoint_minutes, event_hours, run_hours, attempt_hours, endpoint_hours`);
    for (const index of ['deliveries_endpoint_type_seq', 'deliveries_created_at', 'deliveries_failing_updated', 'runs_created_at', 'events_roots_type_seq', 'audit_log_actor_trgm']) {
      await db.query(`drop index ${index}`);
    }
    await db.query(`create index runs_seq on runs (seq desc)`);
    await db.query(`create index audit_log_at on audit_log (id desc)`);
    // 0018 undone: the indexes it drops or replaces, a payload in every delivery.
    await db.query(`drop index runs_event_workflow, deliveries_endpoint_unsucceeded_seq, events_derived_type_seq`);
    await db.query(`alter table runs add constraint runs_workflow_id_event_id_key unique (workflow_id, event_id)`);
    await db.query(`create index runs_event on runs (event_id)`);
    await db.query(`create index deliveries_endpoint_status_created on deliveries (endpoint_id, status, created_at)`);
    await db.query(`create index events_type_seq on events (type, seq desc)`);
    await db.query(`create index delivery_attempts_created on delivery_attempts (created_at)`);
    await db.query(`alter table deliveries alter column payload set not null`);
    await db.query(`drop index runs_unsucceeded_status_seq, deliveries_subscription_event, deliveries_step_event`);
    await db.query(`create index runs_status_seq on runs (status, seq desc)`);
    await db.query(`create unique index deliveries_subscription_once on deliveries (endpoint_id, event_id) where run_id is null`);
    await db.query(`create index deliveries_event on deliveries (event_id)`);
    await db.query(`delete from pgmigrations where name like '0016_%' or name like '0018_%'`);

    expect(await migrate(t.databaseUrl, undefined, { allowOutOfOrder: true })).toEqual(['0016_history_at_scale', '0018_lean_history']);
    const { rows } = await db.query<{ relname: string; valid: boolean }>(
      `select c.relname, i.indisvalid as valid from pg_index i join pg_class c on c.oid = i.indexrelid
        where c.relname in ('deliveries_endpoint_status_seq', 'events_roots_type_seq', 'audit_log_actor_trgm', 'runs_created_at', 'runs_seq', 'audit_log_at',
                            'runs_event_workflow', 'runs_event', 'runs_workflow_id_event_id_key', 'deliveries_endpoint_unsucceeded_seq', 'deliveries_endpoint_status_created',
                            'events_derived_type_seq', 'events_type_seq', 'events_roots_seq', 'delivery_attempts_created',
                            'runs_unsucceeded_status_seq', 'runs_status_seq', 'deliveries_subscription_event', 'deliveries_subscription_once', 'deliveries_step_event', 'deliveries_event')`,
    );
    expect(Object.fromEntries(rows.map((r) => [r.relname, r.valid]))).toEqual({
      events_roots_type_seq: true,
      events_derived_type_seq: true,
      audit_log_actor_trgm: true,
      runs_created_at: true,
      runs_event_workflow: true,
      deliveries_endpoint_unsucceeded_seq: true,
      runs_unsucceeded_status_seq: true,
      deliveries_subscription_event: true,
      deliveries_step_event: true,
    });
    const nullable = await db.query(`select is_nullable from information_schema.columns where table_name = 'deliveries' and column_name = 'payload'`);
    expect(nullable.rows[0].is_nullable).toBe('YES');
    // The rollups start again from the beginning of the history.
    await foldNow();
    // Whatever retention left of the history above (it prunes by age once processed), all of it is counted again.
    const stored = (await db.query<{ n: number }>(`select count(*)::int as n from events where received_at > now() - interval '7 days'`)).rows[0]!.n;
    expect(stored).toBeGreaterThanOrEqual(25);
    expect((await json<Stats>('/api/v1/stats?window=7d')).totals.events).toBe(stored);
    // One run per workflow and event still holds, through the reordered unique index.
    const dup = await db.query(`insert into runs (id, workflow_id, version, event_id, event_type, status) values ('run_h_dup', 'wf_h', 1, 'evt_h_1', 'order.created', 'succeeded') on conflict (workflow_id, event_id) do nothing`);
    expect(dup.rowCount).toBe(0);
  });
});
