import http from 'node:http';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { notifyActivity } from '../../src/console/activity.ts';
import { csvExports } from '../../src/audit/routes.ts';
import { FLUSH_INTERVAL_MS, MAX_PER_FLUSH, MAX_STREAMS_PER_CALLER, streamState } from '../../src/console/stream.ts';
import { eventually } from '../support/engine.ts';
import { startTestTripline, TEST_API_KEY, type TestTripline } from '../support/tripline.ts';

let t: TestTripline;
beforeAll(async () => {
  t = await startTestTripline();
});
afterAll(() => t?.stop());

const state = () => streamState(t.ctx)!;

/** A real HTTP client that reads nothing after the headers (its socket is paused). */
function openPaused(path: string): Promise<{ res: http.IncomingMessage; req: http.ClientRequest }> {
  return new Promise((resolve, reject) => {
    const req = http.get(t.url + path, { headers: { authorization: `Bearer ${TEST_API_KEY}` } }, (res) => {
      res.pause();
      resolve({ res, req });
    });
    req.on('error', reject);
  });
}

describe('the SSE stream (item 8)', () => {
  it('caps live streams per caller with 429, and frees a slot when a client leaves', async () => {
    const open = [];
    for (let i = 0; i < MAX_STREAMS_PER_CALLER; i++) open.push(await openPaused('/api/v1/stream'));
    expect(open.every((o) => o.res.statusCode === 200)).toBe(true);
    const refused = await t.api('/api/v1/stream');
    expect(refused.status).toBe(429);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('too_many_streams');
    open.pop()!.req.destroy();
    await eventually(async () => state().open === MAX_STREAMS_PER_CALLER - 1, 'the slot to be freed');
    const again = await openPaused('/api/v1/stream');
    expect(again.res.statusCode).toBe(200);
    for (const o of [...open, again]) o.req.destroy();
    await eventually(async () => state().open === 0 && state().hub.listenerCount === 0, 'every stream to close');
  });

  it('frees the listener of a client that leaves while the stream subscribes', async () => {
    for (let i = 0; i < 10; i++) {
      const socket = net.connect(new URL(t.url).port as unknown as number, '127.0.0.1');
      await new Promise((r) => socket.once('connect', r));
      socket.write(`GET /api/v1/stream HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${TEST_API_KEY}\r\n\r\n`);
      socket.destroy();
    }
    await eventually(async () => state().open === 0 && state().hub.listenerCount === 0, 'listeners of departed clients to be freed');
  });

  it('stops writing to a client that stops reading, and resumes when it drains', async () => {
    const { res, req } = await openPaused('/api/v1/stream?kinds=run');
    // Notifications near PostgreSQL's 8,000-byte limit fill the socket buffers in a few thousand messages.
    const big = 'x'.repeat(7000);
    let sent = 0;
    await eventually(async () => {
      // Fewer than MAX_PER_FLUSH per flush interval: more would coalesce into one small "overflow" event.
      await Promise.all(Array.from({ length: MAX_PER_FLUSH / 2 }, () => notifyActivity(t.ctx.pool, { kind: 'run', id: `${big}${sent++}`, status: 'running' })));
      await new Promise((r) => setTimeout(r, FLUSH_INTERVAL_MS + 50));
      return state().waitingForDrain === 1;
    }, 'the stream to wait for its client', 60_000);
    res.resume(); // read again: the stream drains and carries on
    await eventually(async () => state().waitingForDrain === 0, 'the stream to drain');
    req.destroy();
    await eventually(async () => state().open === 0, 'the stream to close');
  });
});

describe('the audit CSV export (item 8)', () => {
  it('reads no further than the client takes, and stops when the client leaves', async () => {
    // 40,000 entries of 1 KB: a CSV far larger than the socket buffers.
    await t.ctx.pool.query(
      `insert into audit_log (actor, action, target_type, target_id, after)
       select 'bulk', 'bulk.entry', 'test', 'n' || g, jsonb_build_object('pad', repeat('p', 1000)) from generate_series(1, 40000) g`,
    );
    const totalPages = Math.ceil(40_000 / 500);
    const before = csvExports.pagesRead;
    const { res, req } = await openPaused('/api/v1/audit.csv?action=bulk.entry');
    expect(res.statusCode).toBe(200);
    await eventually(async () => csvExports.waitingForDrain === 1, 'the export to wait for its client', 30_000);
    const readWhilePaused = csvExports.pagesRead - before;
    expect(readWhilePaused).toBeLessThan(totalPages);
    req.destroy();
    await eventually(async () => csvExports.open === 0, 'the export to stop');
    expect(csvExports.pagesRead - before).toBeLessThan(totalPages);
  });

  it('still exports every entry to a client that reads', async () => {
    const text = await (await t.api('/api/v1/audit.csv?action=bulk.entry')).text();
    expect(text.split('\n').filter((l) => l.includes('bulk.entry'))).toHaveLength(40_000);
  });
});
