import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cloneDatabase } from '../support/database.ts';
import { eventually } from '../support/engine.ts';
import { apiAt, baseEnv, freeLocalPort, orderEvent, startRecordingReceiver, TriplineProcess } from './processes.ts';

/**
 * Scenario 4 of docs/reliability.md: SIGTERM while events stream in and runs and deliveries
 * are in flight. The process drains and exits 0; every event it answered 202 for is stored;
 * a new process finishes everything with no run stuck and no delivery lost.
 */
describe('SIGTERM under load', () => {
  let db: Awaited<ReturnType<typeof cloneDatabase>>;
  let client: pg.Client;
  let receiver: Awaited<ReturnType<typeof startRecordingReceiver>>;
  let proc: TriplineProcess | undefined;

  beforeAll(async () => {
    db = await cloneDatabase();
    client = new pg.Client(db.url);
    await client.connect();
    receiver = await startRecordingReceiver(20);
  });
  afterAll(async () => {
    await proc?.stop('SIGKILL');
    await receiver?.close();
    await client?.end();
    await db?.drop();
  });

  it('drains, exits 0, loses nothing, and a restart continues', async () => {
    const port = await freeLocalPort();
    const env = baseEnv(db.url, { PORT: String(port), TRIPLINE_JOB_EXPIRE_SECONDS: '6', TRIPLINE_DELIVERY_LEASE_SECONDS: '6', TRIPLINE_DELIVERY_TIMEOUT: '3s' });
    proc = await TriplineProcess.start('tripline', env);
    const api = apiAt(`http://127.0.0.1:${port}`);
    const ep = await (await api('/api/v1/endpoints', { method: 'POST', json: { url: `${receiver.url}/step`, eventTypes: ['run.failed'] } })).json();
    await api('/api/v1/endpoints', { method: 'POST', json: { url: `${receiver.url}/sub`, eventTypes: ['order.created'] } });
    const wf = await (
      await api('/api/v1/workflows', {
        method: 'POST',
        json: {
          name: 'sigterm',
          graph: {
            nodes: [
              { id: 't', type: 'trigger', config: { eventType: 'order.created' } },
              { id: 'w', type: 'webhook', config: { endpointId: ep.id } },
            ],
            edges: [{ id: 'e', source: 't', target: 'w' }],
          },
        },
      })
    ).json();
    expect((await api(`/api/v1/workflows/${wf.id}/publish`, { method: 'POST', json: {} })).status).toBe(200);

    // Four concurrent senders share 80 batches of 10; a batch that gets no 202 (connection
    // refused while the process is down) is sent again with the same event ids, as any
    // client would. SIGTERM lands while they are busy.
    const BATCHES = 80;
    const accepted = new Set<string>();
    const outcomes = new Map<string, number>();
    const pending = [...Array(BATCHES).keys()];
    const sender = async () => {
      for (let batch = pending.shift(); batch !== undefined; batch = pending.shift()) {
        for (;;) {
          const status = await api('/api/v1/events', { method: 'POST', json: Array.from({ length: 10 }, (_, k) => orderEvent(batch! * 10 + k, 'term')) })
            .then(async (res) => {
              if (res.status === 202) for (const e of (await res.json()).events) accepted.add(e.id);
              else await res.body?.cancel();
              return String(res.status);
            })
            .catch(() => 'no connection');
          outcomes.set(status, (outcomes.get(status) ?? 0) + 1);
          if (status === '202') break;
          await new Promise((r) => setTimeout(r, 100));
        }
      }
    };
    const senders = Promise.all([sender(), sender(), sender(), sender()]);
    await eventually(async () => accepted.size >= 150, '150 events accepted', 30_000);
    const t0 = Date.now();
    const exit = await proc.stop('SIGTERM', 40_000);
    const phases = [`shutdown ${Date.now() - t0} ms`];
    expect(exit, proc.output.split('\n').filter((l) => !l.includes('"level":50')).slice(-30).join('\n')).toEqual({ code: 0, signal: null });
    expect(proc.output).toContain('"msg":"stopped"');
    const acceptedBeforeRestart = accepted.size;

    // Everything answered 202 is stored; nothing was answered 5xx.
    const stored = await client.query(`select count(*)::int as n from events where id = any($1)`, [[...accepted]]);
    expect(stored.rows[0].n).toBe(acceptedBeforeRestart);
    expect([...outcomes.keys()].filter((s) => s !== '202' && s !== 'no connection')).toEqual([]);

    // A new process picks up where the old one stopped, while the senders finish their batches.
    const t1 = Date.now();
    proc = await TriplineProcess.start('tripline', env);
    phases.push(`restart ${Date.now() - t1} ms`);
    await senders;
    expect(accepted.size).toBe(BATCHES * 10);

    const t2 = Date.now();
    await eventually(
      async () => {
        const { rows } = await client.query(
          `select (select count(*) from events where processed_at is null)::int as events,
                  (select count(*) from runs where status in ('running', 'waiting'))::int as runs,
                  (select count(*) from deliveries where status <> 'succeeded')::int as deliveries`,
        );
        return rows[0].events === 0 && rows[0].runs === 0 && rows[0].deliveries === 0;
      },
      'everything to finish after the restart',
      90_000,
    ).catch(async (error: unknown) => {
      const { rows } = await client.query(
        `select (select json_agg(x) from (select status, count(*) from runs group by status) x) as runs,
                (select json_agg(x) from (select status, count(*) from deliveries group by status) x) as deliveries,
                (select count(*) from events where processed_at is null) as unprocessed,
                (select json_agg(x) from (select name, state, count(*), max(retry_count) as retries, max(start_after) as start_after from pgboss.job group by name, state) x) as jobs`,
      );
      throw new Error(`${String(error)}: ${JSON.stringify(rows[0])}\n${proc!.output.split('\n').filter((l) => l.includes('"level":50') || l.includes('"level":40')).slice(-5).join('\n')}`);
    });
    phases.push(`drain ${Date.now() - t2} ms`);
    // Every event is stored once (resends were duplicates) and has exactly one run.
    const orders = await client.query(`select count(*)::int as n from events where type = 'order.created'`);
    const runs = await client.query(`select count(*)::int as n, count(distinct event_id)::int as events, count(*) filter (where status = 'succeeded')::int as ok from runs`);
    expect(orders.rows[0].n).toBe(BATCHES * 10);
    expect(runs.rows[0]).toEqual({ n: orders.rows[0].n, events: orders.rows[0].n, ok: orders.rows[0].n });
    const withRun = await client.query(`select count(*)::int as n from runs where event_id = any($1)`, [[...accepted]]);
    expect(withRun.rows[0].n).toBe(accepted.size);
    const delivered = new Set(receiver.hits.filter((h) => h.path === '/sub').map((h) => h.eventId));
    expect([...accepted].filter((id) => !delivered.has(id))).toEqual([]);
    const stepDelivered = new Set(receiver.hits.filter((h) => h.path === '/step').map((h) => h.eventId));
    expect(stepDelivered.size).toBe(orders.rows[0].n);
    console.log(`sigterm: ${acceptedBeforeRestart} accepted before SIGTERM, ${accepted.size} in all, ${orders.rows[0].n} stored; answers ${JSON.stringify(Object.fromEntries(outcomes))}; ${phases.join(', ')}`);
  }, 180_000);
});
