import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmbeddedPostgres, type EmbeddedDatabase } from '../../src/db/embedded-postgres.ts';
import { migrate } from '../../src/db/migrate.ts';
import { createLogger } from '../../src/logger.ts';
import { eventually } from '../support/engine.ts';
import { apiAt, baseEnv, freeLocalPort, orderEvent, startRecordingReceiver, TriplineProcess } from './processes.ts';

/**
 * Scenario 2 of docs/reliability.md: the test owns a PostgreSQL of its own and stops it
 * while events stream into a Tripline process. While it is down the API answers 503 at
 * once and /healthz says why; once it is back, everything accepted is processed and
 * delivered with nobody touching anything.
 */
const log = createLogger('warn');
let dir: string;
let db: EmbeddedDatabase | undefined;
let proc: TriplineProcess | undefined;
let receiver: Awaited<ReturnType<typeof startRecordingReceiver>>;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tripline-dbrestart-'));
  fs.chmodSync(dir, 0o777);
  db = await startEmbeddedPostgres(dir, log);
  await migrate(db.url);
  receiver = await startRecordingReceiver();
}, 60_000);

afterAll(async () => {
  await proc?.stop('SIGKILL');
  await receiver?.close();
  await db?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('database restart mid-stream', () => {
  it('answers 503 while PostgreSQL is down and processes everything accepted once it is back', async () => {
    const port = await freeLocalPort();
    proc = await TriplineProcess.start('tripline', baseEnv(db!.url, { PORT: String(port), TRIPLINE_JOB_EXPIRE_SECONDS: '6', TRIPLINE_DELIVERY_LEASE_SECONDS: '6', TRIPLINE_DELIVERY_TIMEOUT: '3s' }));
    const api = apiAt(`http://127.0.0.1:${port}`);
    const ep = await api('/api/v1/endpoints', { method: 'POST', json: { url: `${receiver.url}/hook`, eventTypes: ['order.created'] } });
    expect(ep.status).toBe(201);

    const accepted = new Set<string>();
    const send = async (from: number, n: number) => {
      const res = await api('/api/v1/events', { method: 'POST', json: Array.from({ length: n }, (_, k) => orderEvent(from + k, 'dbr')), signal: AbortSignal.timeout(10_000) });
      if (res.status === 202) for (const e of (await res.json()).events) accepted.add(e.id);
      return res;
    };
    for (let i = 0; i < 200; i += 20) expect((await send(i, 20)).status).toBe(202);

    // Pull the database out from under it, with work in flight.
    await db!.stop();
    db = undefined;

    // Every write is answered, quickly (bounded by the abort signal), with 503 and a reason.
    for (let i = 0; i < 5; i++) {
      const res = await send(1000 + i * 10, 10).catch((error: unknown) => {
        throw new Error(`no answer (${String(error)}); alive=${proc!.alive} code=${proc!.child.exitCode} signal=${proc!.child.signalCode}; the process said:\n${proc!.output.slice(-4000)}`);
      });
      expect(res.status).toBe(503);
      expect(res.headers.get('retry-after')).toBe('5');
      expect((await res.json()).error).toMatchObject({ code: 'database_unavailable', message: 'the database is unavailable; retry shortly' });
    }
    const reads = await api('/api/v1/workflows', { signal: AbortSignal.timeout(10_000) });
    expect(reads.status).toBe(503);
    const health = await fetch(`http://127.0.0.1:${port}/healthz`, { signal: AbortSignal.timeout(10_000) });
    expect(health.status).toBe(503);
    const why = (await health.json()) as { status: string; reason: string };
    expect(why.status).toBe('unavailable');
    // Anonymous callers get a short reason; the driver's detail goes to the log (security item 10).
    expect(why.reason).toBe('database unavailable');
    expect(proc.alive).toBe(true);

    // Back on the same port and data folder.
    db = await startEmbeddedPostgres(dir, log);
    await eventually(async () => (await fetch(`http://127.0.0.1:${port}/healthz`)).status === 200, '/healthz to recover', 30_000);
    for (let i = 2000; i < 2100; i += 20) expect((await send(i, 20)).status).toBe(202);

    const client = new pg.Client(db.url);
    await client.connect();
    try {
      await eventually(
        async () => {
          const { rows } = await client.query(
            `select (select count(*) from events where processed_at is null)::int as events,
                    (select count(*) from deliveries where status <> 'succeeded')::int as deliveries`,
          );
          return rows[0].events === 0 && rows[0].deliveries === 0;
        },
        'everything accepted to be processed and delivered after the restart',
        90_000,
      );
      const stored = await client.query(`select count(*)::int as n from events where id = any($1) and processed_at is not null`, [[...accepted]]);
      expect(stored.rows[0].n).toBe(accepted.size);
      expect(accepted.size).toBe(300);
      const delivered = new Set(receiver.hits.map((h) => h.eventId));
      expect([...accepted].filter((id) => !delivered.has(id))).toEqual([]);
      // Nothing refused with 503 was stored behind the caller's back.
      const refused = await client.query(`select count(*)::int as n from events where id like 'dbr\\_1%' and length(id) = 8`);
      expect(refused.rows[0].n).toBe(0);
    } finally {
      await client.end();
    }
  }, 180_000);
});
