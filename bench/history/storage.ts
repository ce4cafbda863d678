/**
 * Where the bytes of a stored event go: `npx tsx bench/history/storage.ts [events]` grows one
 * store with generate.ts (seeded through the API of a real Tripline process, grown in SQL) on
 * a throwaway embedded PostgreSQL and prints, as markdown, the size of every history table and
 * index per stored event and the average stored size of its large columns, for the rows the
 * real code wrote (the API seeding) and for the grown ones side by side, so anyone can check
 * that the generator writes what Tripline writes.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { startEmbeddedPostgres } from '../../server/src/db/embedded-postgres.ts';
import { migrate } from '../../server/src/db/migrate.ts';
import { deliveryPayloadSql } from '../../server/src/db/delivery-storage.ts';
import { createLogger } from '../../server/src/logger.ts';
import { startReceiver } from '../lib/load.ts';
import { API_KEY, startTripline } from '../lib/procs.ts';
import { growTo, seedThroughApi } from './generate.ts';

/** Schema 0018 undone: the store as it was before it (its indexes, payload required). */
const BEFORE_0018 = `
  drop index runs_event_workflow;
  alter table runs add constraint runs_workflow_id_event_id_key unique (workflow_id, event_id);
  create index runs_event on runs (event_id);
  drop index deliveries_endpoint_unsucceeded_seq;
  create index deliveries_endpoint_status_seq on deliveries (endpoint_id, status, seq desc);
  create index deliveries_endpoint_status_created on deliveries (endpoint_id, status, created_at);
  drop index events_derived_type_seq;
  create index events_type_seq on events (type, seq desc);
  create index events_roots_seq on events (seq desc) where caused_by is null;
  create index delivery_attempts_created on delivery_attempts (created_at);
  drop index runs_unsucceeded_status_seq, deliveries_subscription_event, deliveries_step_event;
  create index runs_status_seq on runs (status, seq desc);
  create unique index deliveries_subscription_once on deliveries (endpoint_id, event_id) where run_id is null;
  create index deliveries_event on deliveries (event_id);
  update deliveries d set payload = ${deliveryPayloadSql('d')} where payload is null;
  alter table deliveries alter column payload set not null;
  delete from pgmigrations where name like '0018_%';`;

async function withClient<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client(url);
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

export const HISTORY_TABLES = ['events', 'runs', 'run_steps', 'deliveries', 'delivery_attempts', 'audit_log'];
const ROLLUPS = ['event_minutes', 'run_minutes', 'attempt_minutes', 'endpoint_minutes', 'event_hours', 'run_hours', 'attempt_hours', 'endpoint_hours'];
/** Grown rows are told from the API's by their ids (generate.ts names them hist_*). */
const GROWN: Record<string, string> = {
  events: `id like 'hist_%'`,
  runs: `id like 'hist_%'`,
  run_steps: `run_id like 'hist_%'`,
  deliveries: `id like 'hist_%'`,
  delivery_attempts: `delivery_id like 'hist_%'`,
  audit_log: `target_id like 'hist_%'`,
};
const BIG_COLUMN_TYPES = ['jsonb', 'json', 'text', 'bytea', 'ARRAY'];

export async function storageReport(url: string): Promise<string> {
  const c = new pg.Client(url);
  await c.connect();
  try {
    const events = Number((await c.query(`select count(*) as n from events`)).rows[0].n);
    const perEvent = (b: number) => (b / events).toFixed(1);
    const out: string[] = [`Store of ${events.toLocaleString('en-US')} events.`, '', '| table | rows | rows per event | heap+TOAST B/event | indexes B/event | total B/event |', '| --- | ---: | ---: | ---: | ---: | ---: |'];
    let total = 0;
    for (const t of [...HISTORY_TABLES, ...ROLLUPS]) {
      const r = (
        await c.query(
          `select (select count(*) from ${t}) as rows, pg_table_size($1::regclass) as heap, pg_indexes_size($1::regclass) as idx`,
          [t],
        )
      ).rows[0];
      const heap = Number(r.heap);
      const idx = Number(r.idx);
      total += heap + idx;
      if (ROLLUPS.includes(t) && t !== 'endpoint_minutes') continue;
      out.push(`| ${t} | ${Number(r.rows).toLocaleString('en-US')} | ${(Number(r.rows) / events).toFixed(2)} | ${perEvent(heap)} | ${perEvent(idx)} | ${perEvent(heap + idx)} |`);
    }
    const rollups = Number((await c.query(`select sum(pg_total_relation_size(t::regclass)) as b from unnest($1::text[]) t`, [ROLLUPS])).rows[0].b);
    out.push(`| rollups (all ${ROLLUPS.length} tables) | | | | | ${perEvent(rollups)} |`);
    out.push(`| **all history tables** | | | | | **${perEvent(total)}** |`, '');

    out.push('| index | B/event |', '| --- | ---: |');
    const idx = await c.query<{ t: string; i: string; b: string }>(
      `select tablename as t, indexname as i, pg_relation_size(indexname::regclass) as b from pg_indexes
        where schemaname = 'public' and tablename = any($1::text[]) order by pg_relation_size(indexname::regclass) desc`,
      [HISTORY_TABLES],
    );
    for (const r of idx.rows) out.push(`| ${r.t}.${r.i} | ${perEvent(Number(r.b))} |`);
    out.push('');

    out.push('| column | avg bytes, API-written rows | avg bytes, grown rows | B/event (grown) |', '| --- | ---: | ---: | ---: |');
    for (const t of HISTORY_TABLES) {
      const cols = await c.query<{ column_name: string }>(
        `select column_name from information_schema.columns where table_name = $1 and table_schema = 'public' and data_type = any($2::text[]) order by ordinal_position`,
        [t, BIG_COLUMN_TYPES],
      );
      for (const { column_name: col } of cols.rows) {
        const r = (
          await c.query(
            `select avg(pg_column_size(${col})) filter (where not (${GROWN[t]})) as api,
                    avg(pg_column_size(${col})) filter (where ${GROWN[t]}) as grown,
                    sum(pg_column_size(${col})) filter (where ${GROWN[t]}) as grown_sum,
                    count(*) filter (where ${GROWN[t]}) as grown_n
               from ${t}`,
          )
        ).rows[0];
        const f = (x: string | null) => (x === null ? '–' : Number(x).toFixed(0));
        const grownEvents = Number((await c.query(`select count(*) as n from events where ${GROWN.events}`)).rows[0].n) || 1;
        out.push(`| ${t}.${col} | ${f(r.api)} | ${f(r.grown)} | ${r.grown_sum === null ? '–' : (Number(r.grown_sum) / grownEvents).toFixed(1)} |`);
      }
    }
    return out.join('\n');
  } finally {
    await c.end();
  }
}

if (import.meta.filename === process.argv[1] || process.argv[1]?.endsWith('storage.ts')) {
  const target = Number(process.argv.slice(2).find((a) => /^\d+$/.test(a)) ?? 100_000);
  // --migrate-0018: grow a store as it was before migration 0018 (its schema, its rows), then time the migration.
  const migrate0018 = process.argv.includes('--migrate-0018');
  const copies = migrate0018 || process.argv.includes('--copies');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tripline-storage-pg-'));
  fs.chmodSync(dir, 0o777);
  const db = await startEmbeddedPostgres(dir, createLogger('warn'));
  const receiver = await startReceiver();
  const say = (s: string) => console.error(`[storage ${new Date().toISOString().slice(11, 19)}] ${s}`);
  try {
    const proc = await startTripline('storage', db.url);
    try {
      const api = async <T = any>(p: string, body?: unknown): Promise<T> => {
        const res = await fetch(proc.url + p, {
          method: body === undefined ? 'GET' : 'POST',
          headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' },
          body: body === undefined ? undefined : JSON.stringify(body),
        });
        const text = await res.text();
        if (res.status >= 300) throw new Error(`${p} → ${res.status}: ${text.slice(0, 300)}`);
        return JSON.parse(text) as T;
      };
      const pool = new pg.Pool({ connectionString: db.url, max: 1 });
      const waitProcessed = async () => {
        for (let i = 0; i < 600; i++) {
          const { rows } = await pool.query(`select (select count(*) from events where processed_at is null) + (select count(*) from deliveries where status in ('pending', 'sending')) as n`);
          if (Number(rows[0].n) === 0) return;
          await new Promise((r) => setTimeout(r, 100));
        }
      };
      const seeded = await seedThroughApi(api, receiver.url, waitProcessed);
      await pool.end();
      if (migrate0018) await withClient(db.url, (c) => c.query(BEFORE_0018));
      say(`seeded through the API; growing in SQL${copies ? ' (rows as stored before 0018)' : ''}`);
      await growTo(db.url, seeded, target, say, { copies });
    } finally {
      await proc.stop();
    }
    if (migrate0018) {
      const t = Date.now();
      const applied = await migrate(db.url);
      say(`migrated ${applied.join(', ')} in ${((Date.now() - t) / 1000).toFixed(1)} s`);
    }
    console.log(await storageReport(db.url));
    if (process.argv.includes('--keep')) {
      say(`--keep: the store stays up at ${db.url} until this process is stopped`);
      await new Promise(() => {});
    }
  } finally {
    await receiver.close();
    await db.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
  process.exit(0);
}
