import { Bus } from '../../src/bus.ts';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { Router } from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allowAnonymous } from '../../src/auth/middleware.ts';
import { features } from '../../src/features.ts';
import { createApp } from '../../src/http/app.ts';
import { createLogger } from '../../src/logger.ts';
import { eventually } from '../support/engine.ts';
import { startTestTripline, TEST_API_KEY, type TestTripline } from '../support/tripline.ts';

/**
 * The ingest hot path (its own request logger, precomputed security headers, the route
 * mounted ahead of the others, a lean JSON reader) answers and logs as the general path does.
 * The app runs on a logger at debug whose JSON lines the test reads.
 */
interface LogLine {
  level: number;
  msg: string;
  reqId?: string;
  req?: { id: string; method: string; url: string; headers: Record<string, string> };
  res?: { statusCode: number };
  err?: { message: string };
}

let t: TestTripline;
let server: http.Server;
let base: string;
const lines: LogLine[] = [];

beforeAll(async () => {
  t = await startTestTripline();
  const log = createLogger('debug', { destination: new Writable({ write: (chunk, _enc, done) => (lines.push(JSON.parse(String(chunk)) as LogLine), done()) }) });
  // Its own bus: the running test Tripline's features already provide theirs on t.ctx.bus.
  const ctx = { ...t.ctx, log, bus: new Bus() };
  const parts = await features(ctx);
  const boom = Router().get('/boom', allowAnonymous('a test route that fails'), () => {
    throw new Error('boom: something broke');
  });
  server = createApp(ctx, { ...parts.http, apiRouters: [...parts.http.apiRouters, boom], isReady: () => true }).listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((r) => server?.close(r));
  await t?.stop();
});

const auth = { authorization: `Bearer ${TEST_API_KEY}` };
const event = (customerId: string) => JSON.stringify({ type: 'customer.created', data: { customerId } });
const post = (path: string, body: string | Uint8Array<ArrayBuffer>, headers: Record<string, string> = {}) =>
  fetch(base + path, { method: 'POST', headers: { ...auth, 'content-type': 'application/json', ...headers }, body });
const finished = (id: string) => eventually(async () => lines.find((l) => l.req?.id === id && /^request (completed|errored)$/.test(l.msg)), `the log line of request ${id}`);

describe('logging on the ingest path', () => {
  it('logs an accepted event at debug and a refused one as a warning with its status, the key redacted', async () => {
    const ok = await post('/api/v1/events', event('c-log-1'));
    expect(ok.status).toBe(202);
    const okId = ok.headers.get('x-request-id')!;
    expect(okId).toMatch(/^[0-9a-f-]{36}$/);
    expect(await finished(okId)).toMatchObject({ level: 20, msg: 'request completed', req: { method: 'POST', url: '/api/v1/events' }, res: { statusCode: 202 } });

    const refused = await post('/api/v1/events', JSON.stringify({ type: 'no.such.type', data: {} }));
    expect(refused.status).toBe(422);
    const refusedId = refused.headers.get('x-request-id')!;
    expect(((await refused.json()) as { error: { requestId: string } }).error.requestId).toBe(refusedId);
    const line = await finished(refusedId);
    expect(line).toMatchObject({ level: 40, msg: 'request completed', res: { statusCode: 422 } });
    expect(line.req!.headers.authorization).toBe('[redacted]');
    expect(JSON.stringify(lines)).not.toContain(TEST_API_KEY);
  });

  it("keeps a caller's sane X-Request-Id and replaces one that is not", async () => {
    const kept = await post('/api/v1/events', event('c-log-2'), { 'x-request-id': 'shop-sync-42' });
    expect(kept.headers.get('x-request-id')).toBe('shop-sync-42');
    const replaced = await post('/api/v1/events', event('c-log-3'), { 'x-request-id': 'not ok; <script>' });
    expect(replaced.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('logs an unhandled error at error level, bound to the request, and answers 500 with the request id', async () => {
    const res = await fetch(`${base}/api/v1/boom`);
    expect(res.status).toBe(500);
    const id = res.headers.get('x-request-id')!;
    expect(((await res.json()) as { error: { code: string; requestId: string } }).error).toMatchObject({ code: 'internal_error', requestId: id });
    expect(await finished(id)).toMatchObject({ level: 50, msg: 'request errored', res: { statusCode: 500 } });
    expect(lines.find((l) => l.msg === 'unhandled error' && l.req?.id === id)).toMatchObject({ level: 50, err: { message: 'boom: something broke' } });
  });
});

describe('the hot route answers as the general path would', () => {
  it('sends the security headers on the ingest answer too', async () => {
    const res = await post('/api/v1/events', event('c-hdr'));
    expect(res.status).toBe(202);
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('content-security-policy')).toContain("img-src 'self' data:");
    expect(res.headers.get('x-powered-by')).toBeNull();
  });

  it('takes the path with a trailing slash or in another case, as Express matches it', async () => {
    for (const path of ['/api/v1/events/', '/api/v1/Events']) expect((await post(path, event('c-path'))).status, path).toBe(202);
  });

  it('refuses anonymous callers 401 and keys without events:ingest 403', async () => {
    const anonymous = await fetch(`${base}/api/v1/events`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: event('c-anon') });
    expect(anonymous.status).toBe(401);
    const read = (await (await t.api('/api/v1/api-keys', { method: 'POST', json: { name: 'reader', scope: 'read' } })).json()) as { key: string };
    const res = await post('/api/v1/events', event('c-read'), { authorization: `Bearer ${read.key}` });
    expect(res.status).toBe(403);
  });

  it('reads bodies the lean reader leaves to express.json: gzip, chunked, a byte order mark; refuses other charsets', async () => {
    expect((await post('/api/v1/events', new Uint8Array(gzipSync(event('c-gzip'))), { 'content-encoding': 'gzip' })).status).toBe(202);
    const chunked = await new Promise<number>((resolve, reject) => {
      const req = http.request(`${base}/api/v1/events`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' } }, (res) => {
        res.resume();
        resolve(res.statusCode!);
      });
      req.on('error', reject);
      req.write(event('c-chunked').slice(0, 10));
      req.end(event('c-chunked').slice(10));
    });
    expect(chunked).toBe(202);
    expect((await post('/api/v1/events', `\uFEFF${event('c-bom')}`, { 'content-type': 'application/json; charset=utf-8' })).status).toBe(202);
    const latin1 = await post('/api/v1/events', event('c-latin1'), { 'content-type': 'application/json; charset=latin1' });
    expect(latin1.status).toBe(415);
    expect(((await latin1.json()) as { error: { code: string } }).error.code).toBe('unsupported_encoding');
    const { rows } = await t.ctx.pool.query(`select data->>'customerId' as c from events where data->>'customerId' in ('c-gzip', 'c-chunked', 'c-bom', 'c-latin1') order by 1`);
    expect(rows.map((r) => r.c)).toEqual(['c-bom', 'c-chunked', 'c-gzip']);
  });
});
