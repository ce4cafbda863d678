import type { Activity, Inbox, InboxMessage, Stats } from '@tripline/shared';
import pg from 'pg';
import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inboxLocalReceiver, receiveInboxMessage } from '../../src/console/inbox.ts';
import { pruneOnce } from '../../src/console/retention.ts';
import { refoldRuns } from '../../src/db/rollups.ts';
import { simulatorTick } from '../../src/console/simulator.ts';
import { countEventsAccepted, countRun } from '../../src/metrics/registry.ts';
import { StoreSimulator } from '../../src/simulator/store.ts';
import { createEndpoint, Receiver, sendEvent } from '../delivery/receiver.ts';
import { startTestTripline, TEST_API_KEY, type TestTripline } from '../support/tripline.ts';

let t: TestTripline;
let db: pg.Client;
beforeAll(async () => {
  t = await startTestTripline();
  db = new pg.Client(t.databaseUrl);
  await db.connect();
});
afterAll(async () => {
  await db?.end();
  await t?.stop();
});

const order = (orderId: string, customerId = 'cus_42') => ({
  type: 'order.created',
  data: { orderId, customerId, status: 'pending', total: 10, currency: 'EUR', items: [{ sku: 'MUG', quantity: 1, price: 10 }] },
});

async function waitFor<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 15_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await fn();
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Reads an SSE response into a list of {event, data} as they arrive. */
function readSse(res: Response) {
  const received: { event: string; data: unknown }[] = [];
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  const done = (async () => {
    for (;;) {
      const { value, done } = await reader.read().catch(() => ({ value: undefined, done: true }));
      if (done) return;
      buffer += value;
      let i;
      while ((i = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, i);
        buffer = buffer.slice(i + 2);
        const event = /^event: (.*)$/m.exec(block)?.[1];
        const data = /^data: (.*)$/m.exec(block)?.[1];
        if (event && data) received.push({ event, data: JSON.parse(data) });
      }
    }
  })();
  return { received, close: () => reader.cancel().then(() => done) };
}

describe('live activity stream', () => {
  it('refuses an anonymous caller', async () => {
    const res = await fetch(`${t.url}/api/v1/stream`);
    expect(res.status).toBe(401);
  });

  it('delivers an event notification after an event is inserted, from a trigger in the database', async () => {
    const controller = new AbortController();
    const res = await fetch(`${t.url}/api/v1/stream`, { headers: { authorization: `Bearer ${TEST_API_KEY}` }, signal: controller.signal });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/text\/event-stream/);
    const sse = readSse(res);
    await waitFor('ready', async () => sse.received.find((m) => m.event === 'ready'));

    // Written by another connection than the API's: the notification crosses processes.
    await db.query(
      `insert into events (id, type, occurred_at, source, subject, data) values ('evt_sse_1', 'customer.created', now(), 'test', 'cus_1', '{"customerId":"cus_1"}')`,
    );
    const got = await waitFor('event notification', async () => sse.received.find((m) => m.event === 'event'));
    expect(got.data).toMatchObject({ kind: 'event', id: 'evt_sse_1', count: 1 } satisfies Partial<Activity>);

    // Runs announce their creation and each status change.
    await db.query(`insert into workflows (id, name, draft) values ('wf_sse', 'SSE', '{"nodes":[],"edges":[]}')`);
    await db.query(`insert into runs (id, workflow_id, version, event_id, event_type, status) values ('run_sse', 'wf_sse', 1, 'evt_sse_1', 'customer.created', 'running')`);
    await waitFor('run created', async () => sse.received.find((m) => m.event === 'run' && (m.data as Activity).status === 'running'));
    await db.query(`update runs set status = 'failed' where id = 'run_sse'`);
    const failed = await waitFor('run failed', async () => sse.received.find((m) => m.event === 'run' && (m.data as Activity).status === 'failed'));
    expect(failed.data).toMatchObject({ kind: 'run', id: 'run_sse', status: 'failed' });
    controller.abort();
    await sse.close().catch(() => {});
  });

  it('coalesces a burst into at most one message per id', async () => {
    const controller = new AbortController();
    const res = await fetch(`${t.url}/api/v1/stream?kinds=event`, { headers: { authorization: `Bearer ${TEST_API_KEY}` }, signal: controller.signal });
    const sse = readSse(res);
    await waitFor('ready', async () => sse.received.find((m) => m.event === 'ready'));
    const batch = Array.from({ length: 300 }, (_, i) => order(`burst-${i}`));
    expect((await t.api('/api/v1/events', { method: 'POST', json: batch })).status).toBe(202);
    // One statement inserted 300 rows: one notification, carrying the count.
    const got = await waitFor('batch notification', async () => sse.received.find((m) => m.event === 'event' && (m.data as Activity).count === 300));
    expect(got).toBeDefined();
    controller.abort();
    await sse.close().catch(() => {});
  });
  it('announces activity only while a console stream is open, so an unwatched store pays nothing for it', async () => {
    const heard: string[] = [];
    const onNotification = (msg: pg.Notification) => {
      if (msg.channel === 'tripline_activity' && msg.payload) heard.push((JSON.parse(msg.payload) as { id: string }).id);
    };
    db.on('notification', onNotification);
    await db.query('listen tripline_activity');
    const noWatcher = async () => ((await db.query('select count(*)::int as n from console_watchers where until > now()')).rows[0].n === 0 ? true : undefined);
    const insertEvent = (id: string) =>
      db.query(`insert into events (id, type, occurred_at, source, subject, data) values ($1, 'customer.created', now(), 'test', 'cus_w', '{"customerId":"cus_w"}')`, [id]);
    // Sent by hand (not by a trigger), in commit order after what came before it.
    const marker = async (id: string) => {
      await db.query(`select pg_notify('tripline_activity', $1)`, [JSON.stringify({ kind: 'event', id })]);
      await waitFor(`marker ${id}`, async () => (heard.includes(id) ? true : undefined));
    };
    try {
      await waitFor('earlier streams closed', noWatcher);
      await insertEvent('evt_unwatched_1');
      await marker('marker_1');

      const controller = new AbortController();
      const res = await fetch(`${t.url}/api/v1/stream?kinds=event`, { headers: { authorization: `Bearer ${TEST_API_KEY}` }, signal: controller.signal });
      const sse = readSse(res);
      await waitFor('ready', async () => sse.received.find((m) => m.event === 'ready'));
      await insertEvent('evt_watched');
      await waitFor('watched event on the stream', async () => sse.received.find((m) => (m.data as Activity | undefined)?.id === 'evt_watched'));
      controller.abort();
      await sse.close().catch(() => {});

      await waitFor('the stream closed and its lease gone', noWatcher);
      await insertEvent('evt_unwatched_2');
      await marker('marker_2');
      expect(heard.filter((id) => id.startsWith('evt_'))).toEqual(['evt_watched']);
    } finally {
      db.off('notification', onNotification);
      await db.query('unlisten tripline_activity');
    }
  });
});

describe('dashboard stats', () => {
  it('counts events per bucket, runs by outcome and disabled endpoints in the window', async () => {
    await db.query(`insert into workflows (id, name, draft) values ('wf_stats', 'Stats', '{"nodes":[],"edges":[]}')`);
    await db.query(
      `insert into events (id, type, occurred_at, received_at, source, data)
       select 'evt_stats_' || g, 'order.created', now(), now() - interval '10 minutes', 'test', '{}' from generate_series(1, 5) g`,
    );
    await db.query(
      `insert into runs (id, workflow_id, version, event_id, event_type, status, finished_at)
       values ('run_s1', 'wf_stats', 1, 'evt_stats_1', 'order.created', 'succeeded', now() - interval '5 minutes'),
              ('run_s2', 'wf_stats', 1, 'evt_stats_2', 'order.created', 'failed', now() - interval '5 minutes'),
              ('run_s3', 'wf_stats', 1, 'evt_stats_3', 'order.created', 'failed', now() - interval '3 hours')`,
    );
    // Runs written with a finish time in the past are counted in once the rollups refold them.
    await refoldRuns(t.ctx.pool, new Date(Date.now() - 86_400_000));
    await db.query(
      `insert into endpoints (id, url, secret_enc, enabled, disabled_reason) values ('ep_stats', 'https://example.com/hook', 'x', false, 'failing for 5 days')`,
    );
    const res = await t.api('/api/v1/stats?window=1h');
    expect(res.status).toBe(200);
    const stats = (await res.json()) as Stats;
    expect(stats.bucketSeconds).toBe(60);
    expect(stats.events).toHaveLength(60);
    expect(stats.totals.events).toBeGreaterThanOrEqual(5);
    expect(stats.totals.runsSucceeded).toBe(1);
    expect(stats.totals.runsFailed).toBe(1);
    expect(stats.totals.endpointsDisabled).toBe(1);

    const day = (await (await t.api('/api/v1/stats?window=24h')).json()) as Stats;
    expect(day.totals.runsFailed).toBe(2);
    expect(day.events).toHaveLength(96);
  });

  it('rejects an unknown window with a 422 naming the field', async () => {
    const res = await t.api('/api/v1/stats?window=2y');
    expect(res.status).toBe(422);
    const body = (await res.json()) as { error: { details: { path: string }[] } };
    expect(body.error.details[0]!.path).toBe('window');
  });
});

describe('prometheus metrics', () => {
  const scrape = async () => {
    // Loopback is not trusted for being loopback: the scrape presents the API key.
    const res = await t.api('/metrics');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/text\/plain/);
    return res.text();
  };
  const value = (text: string, series: string) => {
    const line = text.split('\n').find((l) => l.startsWith(`${series} `));
    return line === undefined ? 0 : Number(line.slice(series.length + 1));
  };

  it('counts delivery attempts by outcome with their latency and the accepted → delivered time, as they happen', async () => {
    const receiver = await new Receiver().start();
    try {
      receiver.reply = (req, res) => void res.writeHead(req.path === '/gone' ? 410 : 200).end();
      await createEndpoint(t, { url: `${receiver.url}/ok`, eventTypes: ['order.refunded'] });
      await createEndpoint(t, { url: `${receiver.url}/gone`, eventTypes: ['order.refunded'] });
      const before = await scrape();
      await sendEvent(t, { type: 'order.refunded', data: { orderId: 'o-metrics', customerId: 'cus_m', amount: 5, currency: 'EUR' } });
      const after = await waitFor('both attempts counted', async () => {
        const text = await scrape();
        return value(text, 'tripline_delivery_duration_seconds_count') - value(before, 'tripline_delivery_duration_seconds_count') >= 2 ? text : undefined;
      }, 45_000); // ingestion, processing and two deliveries: slow when the whole suite runs at once
      const delta = (series: string) => value(after, series) - value(before, series);
      expect(after).toMatch(/# TYPE tripline_delivery_attempts_total counter/);
      expect(delta('tripline_delivery_attempts_total{outcome="succeeded"}')).toBe(1);
      expect(delta('tripline_delivery_attempts_total{outcome="failed"}')).toBe(1);
      expect(delta('tripline_delivery_duration_seconds_bucket{le="+Inf"}')).toBe(2);
      expect(delta('tripline_delivery_duration_seconds_bucket{le="30"}')).toBe(2);
      expect(delta('tripline_delivery_accepted_to_delivered_seconds_count')).toBe(1);
      expect(after).toMatch(/tripline_queue_ready_jobs\{queue="run.execute"\} \d+/);
      expect(after).toMatch(/tripline_deliveries_queued\{state="due"\} \d+/);
    } finally {
      await receiver.stop();
    }
  });

  it('exposes the counters the engine keeps for events accepted and runs by status', async () => {
    const before = await scrape();
    countEventsAccepted('order.created', 3);
    countRun('failed');
    const after = await scrape();
    expect(after).toMatch(/# TYPE tripline_events_ingested_total counter/);
    expect(value(after, 'tripline_events_ingested_total{type="order.created"}') - value(before, 'tripline_events_ingested_total{type="order.created"}')).toBe(3);
    expect(value(after, 'tripline_runs_total{status="failed"}') - value(before, 'tripline_runs_total{status="failed"}')).toBe(1);
  });
});

describe('retention', () => {
  it('deletes runs, events, deliveries and attempts older than retentionDays, keeps newer and waiting ones, and keeps counters monotonic', async () => {
    expect((await t.api('/api/v1/settings/retentionDays', { method: 'PUT', json: { value: 7 } })).status).toBe(200);
    await db.query(`insert into workflows (id, name, draft) values ('wf_old', 'Old', '{"nodes":[],"edges":[]}')`);
    await db.query(
      // Processed events (the events table is the processing queue: an unprocessed row would be claimed).
      `insert into events (id, type, occurred_at, received_at, source, data, processed_at) values
         ('evt_old', 'order.paid', now() - interval '10 days', now() - interval '10 days', 'test', '{}', now() - interval '10 days'),
         ('evt_old_waiting', 'order.paid', now() - interval '10 days', now() - interval '10 days', 'test', '{}', now() - interval '10 days'),
         ('evt_new', 'order.paid', now(), now(), 'test', '{}', now())`,
    );
    // Old events were processed long ago; one never processed is kept (its runs are still to be made).
    await db.query(`update events set processed_at = received_at where id in ('evt_old', 'evt_old_waiting', 'evt_new')`);
    await db.query(
      // Parked after its attempts ran out (as an event whose processing kept failing is), so
      // the running engine does not claim and process it before the prune looks at it.
      `insert into events (id, type, occurred_at, received_at, source, data, attempts, last_error, failed_at)
       values ('evt_old_unprocessed', 'order.paid', now() - interval '10 days', now() - interval '10 days', 'test', '{}', 10, 'kept failing', now())`,
    );
    await db.query(
      `insert into runs (id, workflow_id, version, event_id, event_type, status, created_at, finished_at) values
         ('run_old', 'wf_old', 1, 'evt_old', 'order.paid', 'succeeded', now() - interval '10 days', now() - interval '10 days'),
         ('run_old_waiting', 'wf_old', 1, 'evt_old_waiting', 'order.paid', 'waiting', now() - interval '10 days', null),
         ('run_new', 'wf_old', 1, 'evt_new', 'order.paid', 'succeeded', now(), now())`,
    );
    await db.query(
      `insert into deliveries (id, endpoint_id, event_id, event_type, payload, status, created_at) values
         ('msg_old', 'ep_stats', 'evt_old', 'order.paid', '{}', 'succeeded', now() - interval '10 days'),
         ('msg_new', 'ep_stats', 'evt_new', 'order.paid', '{}', 'succeeded', now())`,
    );
    await db.query(
      `insert into delivery_attempts (delivery_id, attempt, url, request_headers, request_body, duration_ms, outcome, created_at) values
         ('msg_old', 1, 'https://example.com/hook', '{}', '{}', 20, 'succeeded', now() - interval '10 days'),
         ('msg_new', 1, 'https://example.com/hook', '{}', '{}', 20, 'succeeded', now())`,
    );

    const result = await pruneOnce(t.ctx.pool);
    expect(result).toMatchObject({ retentionDays: 7, runs: 1, deliveries: 1, attempts: 1 });

    const ids = async (table: string) => (await db.query<{ id: string }>(`select id::text from ${table} order by id`)).rows.map((r) => r.id);
    expect(await ids('runs')).toEqual(expect.arrayContaining(['run_new', 'run_old_waiting']));
    expect(await ids('runs')).not.toContain('run_old');
    const events = await ids('events');
    expect(events).toEqual(expect.arrayContaining(['evt_new', 'evt_old_waiting', 'evt_old_unprocessed']));
    expect(events).not.toContain('evt_old');
    expect(await ids('deliveries')).not.toContain('msg_old');
    expect(await ids('deliveries')).toContain('msg_new');

    const retention = (await (await t.api('/api/v1/retention')).json()) as { retentionDays: number; lastPrune: { runs: number } };
    expect(retention.retentionDays).toBe(7);
    expect(retention.lastPrune.runs).toBe(1);
  });
});

describe('built-in test inbox', () => {
  let inbox: Inbox & { secret: string };

  it('creates an inbox with its endpoint and shows the secret once', async () => {
    const res = await t.api('/api/v1/inboxes', { method: 'POST', json: { name: 'My test inbox', eventTypes: ['order.*'] } });
    expect(res.status).toBe(201);
    inbox = (await res.json()) as Inbox & { secret: string };
    expect(inbox.secret).toMatch(/^whsec_/);
    expect(inbox.url).toMatch(new RegExp(`^http://[^/]+/api/v1/inbox/${inbox.id}$`));
    const again = (await (await t.api(`/api/v1/inboxes/${inbox.id}`)).json()) as Record<string, unknown>;
    expect(again).not.toHaveProperty('secret');
  });

  it('verifies a correctly signed request and flags a forged one', async () => {
    const body = JSON.stringify({ type: 'order.created', data: { orderId: '1' } });
    const signed = new Webhook(inbox.secret).sign('msg_ok', new Date(), body);
    const good = await fetch(`${t.url}/api/v1/inbox/${inbox.id}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'webhook-id': 'msg_ok', 'webhook-timestamp': String(Math.floor(Date.now() / 1000)), 'webhook-signature': signed },
      body,
    });
    expect(good.status).toBe(202);
    const forged = await fetch(`${t.url}/api/v1/inbox/${inbox.id}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'webhook-id': 'msg_bad', 'webhook-timestamp': String(Math.floor(Date.now() / 1000)), 'webhook-signature': 'v1,AAAA' },
      body,
    });
    expect(forged.status).toBe(202);
    const page = (await (await t.api(`/api/v1/inboxes/${inbox.id}/messages`)).json()) as { data: InboxMessage[] };
    const byId = Object.fromEntries(page.data.map((m) => [m.webhookId, m]));
    expect(byId.msg_ok).toMatchObject({ signatureVerified: true, eventType: 'order.created', body });
    expect(byId.msg_bad!.signatureVerified).toBe(false);
    expect(byId.msg_bad!.verifyError).toBeTruthy();
  });

  it('receives in-process (as the delivery worker calls it) without a network connection', async () => {
    const body = '{"type":"order.paid"}';
    const ts = new Date();
    const signature = new Webhook(inbox.secret).sign('msg_inproc', ts, body);
    const receipt = await receiveInboxMessage({ db: t.ctx.pool, secrets: t.ctx.secrets }, inbox.id, {
      'webhook-id': 'msg_inproc',
      'webhook-timestamp': String(Math.floor(ts.getTime() / 1000)),
      'webhook-signature': signature,
    }, body);
    expect(receipt).toMatchObject({ status: 202, verified: true });
    const missing = await receiveInboxMessage({ db: t.ctx.pool, secrets: t.ctx.secrets }, 'inb_' + '0'.repeat(32), {}, body);
    expect(missing.status).toBe(404);
  });

  it('stores every message of a burst received together, and a bad one fails alone', async () => {
    const local = inboxLocalReceiver(t.ctx);
    const send = (id: string, body: string) => {
      const ts = new Date();
      const headers = { 'webhook-id': id, 'webhook-timestamp': String(Math.floor(ts.getTime() / 1000)), 'webhook-signature': new Webhook(inbox.secret).sign(id, ts, body) };
      return local({ url: inbox.url, headers, body, timeoutMs: 1000, allowPrivate: false });
    };
    // Sent at once, as the delivery worker sends its claimed batch: received in one group commit.
    const answers = await Promise.allSettled([
      ...Array.from({ length: 20 }, (_, i) => send(`msg_burst_${i}`, `{"type":"order.created","n":${i}}`)),
      send('msg_burst_nul', 'text with a NUL \u0000 PostgreSQL refuses'),
    ]);
    expect(answers.slice(0, 20).every((a) => a.status === 'fulfilled' && a.value?.status === 202)).toBe(true);
    expect(answers[20]!.status).toBe('rejected');
    const page = (await (await t.api(`/api/v1/inboxes/${inbox.id}/messages?limit=100`)).json()) as { data: InboxMessage[] };
    const burst = page.data.filter((m) => m.webhookId?.startsWith('msg_burst_'));
    expect(burst.map((m) => m.webhookId).sort()).toEqual(Array.from({ length: 20 }, (_, i) => `msg_burst_${i}`).sort());
    expect(burst.every((m) => m.signatureVerified)).toBe(true);
  });

  it("plugs into the delivery worker's localReceiver: own inbox URLs in-process, anything else over HTTP", async () => {
    const local = inboxLocalReceiver(t.ctx);
    const body = '{"type":"order.refunded"}';
    const ts = new Date();
    const headers = {
      'content-type': 'application/json',
      'webhook-id': 'msg_local',
      'webhook-timestamp': String(Math.floor(ts.getTime() / 1000)),
      'webhook-signature': new Webhook(inbox.secret).sign('msg_local', ts, body),
    };
    const answer = await local({ url: inbox.url, headers, body, timeoutMs: 1000, allowPrivate: false });
    expect(answer).toMatchObject({ status: 202 });
    expect(JSON.parse(answer!.body)).toMatchObject({ signatureVerified: true });
    expect(await local({ url: 'https://example.com/hook', headers, body, timeoutMs: 1000, allowPrivate: false })).toBeNull();
    expect(await local({ url: inbox.url.replace(/\/\/[^/]+/, '//attacker.example'), headers, body, timeoutMs: 1000, allowPrivate: false })).toBeNull();
  });

  it('receives a real delivery of a subscribed event with a signature that verifies', async () => {
    expect((await t.api('/api/v1/events', { method: 'POST', json: order('inbox-1') })).status).toBe(202);
    const message = await waitFor('delivered message', async () => {
      const page = (await (await t.api(`/api/v1/inboxes/${inbox.id}/messages`)).json()) as { data: InboxMessage[] };
      return page.data.find((m) => m.eventType === 'order.created' && m.body.includes('inbox-1'));
    });
    expect(message.signatureVerified).toBe(true);
    const health = (await (await t.api('/api/v1/endpoints/health')).json()) as { data: { endpointId: string; inboxId: string | null; successRate: number | null }[] };
    const row = health.data.find((h) => h.endpointId === inbox.endpointId)!;
    expect(row.inboxId).toBe(inbox.id);
    expect(row.successRate).toBe(1);
  });
});

describe('store simulator', () => {
  it('is off by default, and when on sends events through ingestion, once across processes', async () => {
    const state = (await (await t.api('/api/v1/simulator')).json()) as { enabled: boolean };
    expect(state.enabled).toBe(false);
    const put = await t.api('/api/v1/simulator', { method: 'PUT', json: { enabled: true, eventsPerSecond: 10 } });
    expect(put.status).toBe(200);
    // Two "processes" ticking at once: one sends, the other finds the row locked.
    const later = new Date(Date.now() + 2000);
    const sent = await Promise.all([
      simulatorTick(t.ctx.pool, new StoreSimulator({ seed: 1 }), later),
      simulatorTick(t.ctx.pool, new StoreSimulator({ seed: 2 }), later),
    ]);
    // (The process's own loop may hold the row at that moment: then neither sends.)
    expect(sent.filter((n) => n > 0).length).toBeLessThanOrEqual(1);
    await waitFor('simulated events', async () => {
      const { rows } = await db.query<{ n: number }>(`select count(*)::int as n from events where source = 'simulator'`);
      return rows[0]!.n > 0 ? rows[0]!.n : undefined;
    });
    await t.api('/api/v1/simulator', { method: 'PUT', json: { enabled: false } });
  });
});
