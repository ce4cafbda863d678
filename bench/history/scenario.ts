/**
 * The "history" scenario: every read of issue 14 timed on a store with 10,000 events and
 * on one with 1,000,000 (or HISTORY_EVENTS), median of 5 after a warm-up, each store made
 * by generate.ts on a fresh database behind a real Tripline process.
 */
import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { createPool } from '../../server/src/db/pool.ts';
import { pruneOnce } from '../../server/src/console/retention.ts';
import type { Receiver } from '../lib/load.ts';
import type { Proc } from '../lib/procs.ts';
import type { Scenario } from '../lib/report.ts';
import { explainReads } from './explain.ts';
import { CLEAN_ENDPOINT, DERIVED_TYPE, growTo, RARE_ACTOR, seedThroughApi, SPAN_DAYS, storagePerEvent, type Seeded } from './generate.ts';

export interface HistoryDeps {
  quick: boolean;
  say: (s: string) => void;
  freshDatabase: (name: string) => Promise<string>;
  startTripline: (name: string, url: string) => Promise<Proc>;
  receiver: Receiver;
  apiKey: string;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const round = (x: number) => Math.round(x * 10) / 10;

/** The reads of the issue, each a request a person or a scraper makes. */
function reads(seeded: Seeded) {
  const mid = new Date(Date.now() - (SPAN_DAYS / 2) * 86_400_000);
  const hour = (d: Date, h: number) => new Date(d.getTime() + h * 3_600_000).toISOString();
  const clean = seeded.endpointIds[CLEAN_ENDPOINT]!;
  return {
    metrics: '/metrics',
    deliveriesFailedOnCleanEndpoint: `/api/v1/endpoints/${clean}/deliveries?status=failed`,
    deliveriesOfTypeNeverStored: `/api/v1/endpoints/${clean}/deliveries?eventType=never.stored`,
    stats7d: '/api/v1/stats?window=7d',
    stats24h: '/api/v1/stats?window=24h',
    endpointHealth: '/api/v1/endpoints/health',
    runsInTimeRange: `/api/v1/runs?since=${hour(mid, 0)}&until=${hour(mid, 1)}`,
    eventsRootsOnlyOfType: `/api/v1/events?rootsOnly=true&type=${DERIVED_TYPE}`,
    auditActorSearch: `/api/v1/audit?actor=${encodeURIComponent(RARE_ACTOR.slice(0, 8))}`,
  };
}

async function timeGet(proc: Proc, apiKey: string, p: string): Promise<number> {
  const once = async () => {
    const t = performance.now();
    const res = await fetch(proc.url + p, { headers: { authorization: `Bearer ${apiKey}` } });
    await res.arrayBuffer();
    if (res.status !== 200) throw new Error(`${p} → ${res.status}`);
    return performance.now() - t;
  };
  await once();
  const xs: number[] = [];
  for (let i = 0; i < 5; i++) xs.push(await once());
  return round(median(xs));
}

async function waitForRollups(url: string, say: (s: string) => void): Promise<number | null> {
  const c = new pg.Client(url);
  await c.connect();
  try {
    if (!(await c.query(`select to_regclass('rollup_watermarks') as t`)).rows[0].t) return null;
    const t = Date.now();
    for (;;) {
      const { rows } = await c.query<{ done: boolean }>(
        `select (select folded_upto from rollup_watermarks where source = 'events') >= (select coalesce(max(seq), 0) from events)
            and (select folded_upto from rollup_watermarks where source = 'attempts') >= (select coalesce(max(id), 0) from delivery_attempts) as done`,
      );
      if (rows[0]!.done) break;
      if (Date.now() - t > 240_000) throw new Error('rollups did not catch up within 4 minutes');
      await new Promise((r) => setTimeout(r, 500));
    }
    const s = (Date.now() - t) / 1000;
    say(`  rollups caught up on the history in ${s.toFixed(1)} s`);
    return round(s);
  } finally {
    await c.end();
  }
}

async function measureStore(deps: HistoryDeps, events: number, explainTo?: string) {
  const { say } = deps;
  const url = await deps.freshDatabase(`history${events}`);
  const proc = await deps.startTripline(`history-${events}`, url);
  try {
    const api = async <T = any>(p: string, body?: unknown): Promise<T> => {
      const res = await fetch(proc.url + p, {
        method: body === undefined ? 'GET' : 'POST',
        headers: { authorization: `Bearer ${deps.apiKey}`, 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.text();
      if (res.status >= 300) throw new Error(`${p} → ${res.status}: ${text.slice(0, 300)}`);
      return JSON.parse(text) as T;
    };
    const pool = createPool(url, 2);
    try {
      const waitProcessed = async () => {
        for (let i = 0; i < 600; i++) {
          const { rows } = await pool.query<{ n: number }>(`select count(*)::int as n from events where processed_at is null`);
          if (rows[0]!.n === 0) return;
          await new Promise((r) => setTimeout(r, 100));
        }
      };
      const seeded = await seedThroughApi(api, deps.receiver.url, waitProcessed);
      say(`history ${events.toLocaleString('en-US')}: seeded through the API; growing in SQL`);
      await growTo(url, seeded, events, say);
      const foldSeconds = await waitForRollups(url, say);
      const results: Record<string, number> = {};
      for (const [name, p] of Object.entries(reads(seeded))) results[name] = await timeGet(proc, deps.apiKey, p);
      const prunes: number[] = [];
      for (let i = 0; i < 5; i++) {
        const t = performance.now();
        await pruneOnce(pool);
        prunes.push(performance.now() - t);
      }
      results.emptyPrune = round(median(prunes));
      say(`history ${events.toLocaleString('en-US')}: ${JSON.stringify(results)}`);
      if (explainTo) await explainReads(url, seeded, explainTo);
      return { reads: results, storage: await storagePerEvent(url), rollupCatchUpSeconds: foldSeconds };
    } finally {
      await pool.end();
    }
  } finally {
    await proc.stop();
  }
}

export async function scenarioHistory(deps: HistoryDeps): Promise<Scenario> {
  const large = Number(process.env.HISTORY_EVENTS ?? (deps.quick ? 100_000 : 1_000_000));
  const label = process.env.HISTORY_LABEL ?? 'after';
  const explainTo = path.join(import.meta.dirname, '..', 'results', `history-explain-${label}.md`);
  fs.mkdirSync(path.dirname(explainTo), { recursive: true });
  const small = await measureStore(deps, 10_000);
  const big = await measureStore(deps, large, explainTo);
  const ratio = Object.fromEntries(Object.keys(small.reads).map((k) => [k, round(big.reads[k]! / Math.max(small.reads[k]!, 0.1))]));
  return {
    key: 'history',
    name: `9. History: reads at 10,000 and ${large.toLocaleString('en-US')} events (${label})`,
    parameters: { smallEvents: 10_000, largeEvents: large, samples: 5, spanDays: SPAN_DAYS, label },
    results: { small: small.reads, large: big.reads, ratio, storage: { small: small.storage, large: big.storage }, rollupCatchUpSeconds: big.rollupCatchUpSeconds },
    peakRssMb: {},
  };
}
