/**
 * What every scenario stands on: the database (an embedded PostgreSQL or DATABASE_URL, with
 * a fresh database per scenario), `--profile` measurement of a step, the parameters of a
 * full or quick run, and the two API calls the scenarios make. The database's state lives in
 * the object setupDatabase returns rather than in module globals, so a scenario uses only
 * what run.ts hands it (BenchDeps).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { startEmbeddedPostgres } from '../../server/src/db/embedded-postgres.ts';
import { createLogger } from '../../server/src/logger.ts';
import type { Receiver } from './load.ts';
import { API_KEY, type Proc, type startTripline } from './procs.ts';
import { describeProfile, postmasterPidOf, profileStep, type Profile } from './profile.ts';
import type { Scenario } from './report.ts';

export const AUTH = { authorization: `Bearer ${API_KEY}` };
export const FIXED_RATES = [50, 200, 500];
export const round = (x: number, d = 2) => Math.round(x * 10 ** d) / 10 ** d;

export type Say = (s: string) => void;

/** How long and how much each scenario runs: `--quick` is a small run of every scenario. */
export function paramsFor(quick: boolean) {
  return quick
    ? { ingestS: 2, e2eS: 1.5, ladder: [50, 200, 500], burstN: 600, routingN: 500, scaleN: 400, ruleS: 0.3, canvasRepeats: 1 }
    : { ingestS: 10, e2eS: 6, ladder: [50, 200, 500, 1000, 1500, 2000, 3000], burstN: 3000, routingN: 3000, scaleN: 2000, ruleS: 1, canvasRepeats: 3 };
}
export type Params = ReturnType<typeof paramsFor>;

export interface Database {
  /** A fresh database per scenario, so earlier scenarios' rows and jobs do not weigh on later ones. */
  freshDatabase(name: string): Promise<string>;
  /** Runs a bench step, and with `--profile` measures it (bench/lib/profile.ts) and prints what it found. */
  measured<T>(label: string, proc: Proc, dbUrl: string, events: (r: T) => number, step: () => Promise<T>): Promise<T & { profile?: Profile }>;
  stop(): Promise<void>;
}

/** What run.ts hands every scenario (bench/history/ gets its own, smaller, HistoryDeps). */
export interface BenchDeps {
  quick: boolean;
  P: Params;
  profiling: boolean;
  say: Say;
  receiver: Receiver;
  freshDatabase: Database['freshDatabase'];
  measured: Database['measured'];
  startTripline: typeof startTripline;
  /** Adds a scenario's results to the report (a scenario may add more than one). */
  report: (s: Scenario) => void;
}

export async function setupDatabase(o: { profiling: boolean; say: Say }): Promise<Database> {
  let adminUrl: string;
  let baseUrl: string;
  let stop: () => Promise<void> = async () => {};
  let pgDataDir: string | undefined;
  if (process.env.DATABASE_URL) {
    baseUrl = process.env.DATABASE_URL;
    adminUrl = baseUrl.replace(/\/[^/?]+(\?|$)/, '/postgres$1');
    o.say(`using DATABASE_URL (one database per scenario is created next to it when allowed)`);
  } else {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tripline-bench-pg-'));
    fs.chmodSync(dir, 0o777);
    let db = await startEmbeddedPostgres(dir, createLogger('warn'));
    pgDataDir = path.join(dir, 'pg');
    if (o.profiling) {
      // pg_stat_statements must be preloaded: set it, restart, create the extension where the profile reads it.
      await withDb(db.url.replace(/\/tripline$/, '/postgres'), async (c) => {
        await c.query(`alter system set shared_preload_libraries = 'pg_stat_statements'`);
        // Planning is part of a statement's cost: without prepared statements it is paid on every call.
        await c.query(`alter system set pg_stat_statements.track_planning = on`);
      });
      await db.stop();
      db = await startEmbeddedPostgres(dir, createLogger('warn'));
      await withDb(db.url.replace(/\/tripline$/, '/postgres'), (c) => c.query(`create extension if not exists pg_stat_statements`));
    }
    // Tripline reaches its database over the Unix socket, as a same-host install does (and as `npm start` does).
    baseUrl = db.socketUrl;
    adminUrl = db.socketUrl.replace('/tripline?', '/postgres?');
    stop = async () => {
      await db.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    };
    o.say(`embedded PostgreSQL in ${dir}`);
  }

  let dbCounter = 0;
  async function freshDatabase(name: string): Promise<string> {
    const dbName = `bench_${name}_${process.pid}_${dbCounter++}`;
    const client = new pg.Client(adminUrl);
    try {
      await client.connect();
      await client.query(`create database ${dbName}`);
      return adminUrl.replace(/\/postgres(\?|$)/, `/${dbName}$1`);
    } catch (error) {
      o.say(`could not create a database (${(error as Error).message}); using DATABASE_URL as is`);
      return baseUrl;
    } finally {
      await client.end().catch(() => {});
    }
  }

  async function measured<T>(label: string, proc: Proc, dbUrl: string, events: (r: T) => number, step: () => Promise<T>): Promise<T & { profile?: Profile }> {
    if (!o.profiling) return (await step()) as T & { profile?: Profile };
    let result: T | undefined;
    const { profile } = await profileStep(
      { serverPid: proc.child.pid, serverUrl: proc.url, apiKey: API_KEY, postmasterPid: pgDataDir ? postmasterPidOf(pgDataDir) : undefined, adminUrl, dbUrl },
      () => (result === undefined ? 1 : events(result)),
      async () => (result = await step()),
    );
    o.say(describeProfile(label, profile));
    return { ...(result as T), profile };
  }

  return { freshDatabase, measured, stop: () => stop() };
}

export async function withDb<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client(url);
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

export async function api<T = any>(proc: Proc, p: string, body?: unknown): Promise<T> {
  const res = await fetch(proc.url + p, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { ...AUTH, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (res.status >= 300) throw new Error(`${p} → ${res.status}: ${text.slice(0, 300)}`);
  return JSON.parse(text) as T;
}

export async function publish(proc: Proc, name: string, graph: unknown): Promise<string> {
  const created = await api<{ id: string }>(proc, '/api/v1/workflows', { name, graph });
  await api(proc, `/api/v1/workflows/${created.id}/publish`, {});
  return created.id;
}
