import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { generate } from 'selfsigned';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { classifyError } from '../../src/delivery/http-client.ts';
import { eventually } from '../support/engine.ts';
import { startTestTripline, type TestTripline } from '../support/tripline.ts';

/**
 * Scenario 3 of docs/reliability.md: receivers misbehaving in every way we know. One event
 * fans out to one endpoint per fault; each delivery's attempts name the fault, are retried
 * on the schedule (200 ms, 400 ms, 800 ms: four attempts, then failed) or, for 410, disable
 * the endpoint at once.
 */
let t: TestTripline;
const servers: (http.Server | https.Server)[] = [];
let redirectTargetHits = 0;
let slowPort = 0;
let faultPort = 0;
let redirectTargetPort = 0;
let tlsPort = 0;

async function listen(server: http.Server | https.Server): Promise<number> {
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

beforeAll(async () => {
  t = await startTestTripline({ TRIPLINE_DELIVERY_TIMEOUT: '1s' });
  redirectTargetPort = await listen(
    http.createServer((_req, res) => {
      redirectTargetHits++;
      res.writeHead(200).end('ok');
    }),
  );
  faultPort = await listen(
    http.createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        switch (req.url) {
          case '/timeout':
            return; // never answers
          case '/500':
            return void res.writeHead(500, { 'content-type': 'text/plain' }).end('boom');
          case '/reset':
            return void req.socket.destroy();
          case '/redirect':
            return void res.writeHead(307, { location: `http://127.0.0.1:${redirectTargetPort}/hook` }).end();
          case '/gone':
            return void res.writeHead(410).end('gone');
          case '/slow-headers':
            return void setTimeout(() => res.writeHead(200).end('late'), 3000);
          default:
            res.writeHead(404).end();
        }
      });
    }),
  );
  // Headers at once, then a body that trickles for longer than the timeout.
  slowPort = await listen(
    http.createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        res.writeHead(200, { 'content-type': 'text/plain' });
        let n = 0;
        const timer = setInterval(() => {
          if (res.destroyed || n++ > 30) {
            clearInterval(timer);
            if (!res.destroyed) res.end();
            return;
          }
          res.write('.');
        }, 100);
      });
    }),
  );
  const pems = await generate([{ name: 'commonName', value: '127.0.0.1' }], { notAfterDate: new Date(Date.now() + 86_400_000), keySize: 2048 });
  tlsPort = await listen(
    https.createServer({ key: pems.private, cert: pems.cert }, (_req, res) => {
      res.writeHead(200).end('should never be reached');
    }),
  );
}, 60_000);

afterAll(async () => {
  for (const s of servers) {
    s.closeAllConnections();
    await new Promise<void>((resolve) => s.close(() => resolve()));
  }
  await t?.stop();
});

interface Attempt {
  attempt: number;
  outcome: string;
  error_class: string | null;
  error: string | null;
  response_status: number | null;
}

async function endpoint(url: string): Promise<string> {
  const res = await t.api('/api/v1/endpoints', { method: 'POST', json: { url, eventTypes: ['order.created'] } });
  expect(res.status).toBe(201);
  return ((await res.json()) as { id: string }).id;
}

async function settled(endpointId: string): Promise<{ status: string; attempts: Attempt[] }> {
  return eventually(
    async () => {
      const d = await t.ctx.pool.query<{ id: string; status: string }>('select id, status from deliveries where endpoint_id = $1', [endpointId]);
      if (!d.rows[0] || !['failed', 'paused', 'succeeded'].includes(d.rows[0].status)) return undefined;
      const a = await t.ctx.pool.query<Attempt>(
        'select attempt, outcome, error_class, error, response_status from delivery_attempts where delivery_id = $1 order by attempt',
        [d.rows[0].id],
      );
      return { status: d.rows[0].status, attempts: a.rows };
    },
    `the delivery to ${endpointId} to settle`,
    30_000,
  );
}

describe('receiver faults', () => {
  const ids: Record<string, string> = {};

  it('fans one event out to one endpoint per fault', async () => {
    const nothing = http.createServer();
    const closedPort = await new Promise<number>((resolve) => nothing.listen(0, '127.0.0.1', () => resolve((nothing.address() as AddressInfo).port)));
    await new Promise<void>((resolve) => nothing.close(() => resolve()));
    for (const path of ['timeout', '500', 'reset', 'redirect', 'gone', 'slow-headers']) ids[path] = await endpoint(`http://127.0.0.1:${faultPort}/${path}`);
    ids.slowBody = await endpoint(`http://127.0.0.1:${slowPort}/hook`);
    ids.tls = await endpoint(`https://127.0.0.1:${tlsPort}/hook`);
    ids.refused = await endpoint(`http://127.0.0.1:${closedPort}/hook`);
    const res = await t.api('/api/v1/events', {
      method: 'POST',
      json: { type: 'order.created', data: { orderId: 'f1', customerId: 'c1', status: 'paid', total: 5, currency: 'EUR', items: [] } },
    });
    expect(res.status).toBe(202);
  });

  const retried = (attempts: Attempt[], errorClass: string) => {
    expect(attempts.map((a) => a.attempt)).toEqual([1, 2, 3, 4]);
    expect(attempts.every((a) => a.outcome === 'failed' && a.error_class === errorClass)).toBe(true);
  };

  it('timeout: four attempts named "timeout", then failed', async () => {
    const { status, attempts } = await settled(ids.timeout!);
    expect(status).toBe('failed');
    retried(attempts, 'timeout');
    expect(attempts[0]!.error).toBe('no response within 1000 ms');
  });

  it('headers later than the timeout: "timeout" as well', async () => {
    const { status, attempts } = await settled(ids['slow-headers']!);
    expect(status).toBe('failed');
    retried(attempts, 'timeout');
  });

  it('500: retried, each attempt keeping the status and body', async () => {
    const { status, attempts } = await settled(ids['500']!);
    expect(status).toBe('failed');
    retried(attempts, 'http_status');
    expect(attempts[0]).toMatchObject({ response_status: 500, error: 'the receiver answered 500' });
  });

  it('connection reset: "reset", retried', async () => {
    const { status, attempts } = await settled(ids.reset!);
    expect(status).toBe('failed');
    retried(attempts, 'reset');
    expect(attempts[0]!.error).toMatch(/^connection reset \((ECONNRESET|hang up)\)$/);
  });

  it('redirect to another loopback port: not followed, "redirect", the target never reached', async () => {
    const { status, attempts } = await settled(ids.redirect!);
    expect(status).toBe('failed');
    retried(attempts, 'redirect');
    expect(attempts[0]).toMatchObject({
      response_status: 307,
      error: `the receiver answered 307 redirecting to http://127.0.0.1:${redirectTargetPort}/hook; redirects are not followed`,
    });
    expect(redirectTargetHits).toBe(0);
  });

  it('410 Gone: one attempt, the endpoint is disabled and the delivery parked', async () => {
    const { status, attempts } = await settled(ids.gone!);
    expect(status).toBe('paused');
    expect(attempts).toHaveLength(1);
    expect(attempts[0]).toMatchObject({ outcome: 'failed', error_class: 'http_status', response_status: 410 });
    const { rows } = await t.ctx.pool.query('select enabled from endpoints where id = $1', [ids.gone]);
    expect(rows[0].enabled).toBe(false);
    const disabled = await t.ctx.pool.query(`select data from events where type = 'endpoint.disabled'`);
    expect(disabled.rows.map((r) => r.data.endpointId)).toContain(ids.gone);
  });

  it('TLS with a certificate we do not trust: "tls", retried, the server never gets the request', async () => {
    const { status, attempts } = await settled(ids.tls!);
    expect(status).toBe('failed');
    retried(attempts, 'tls');
    expect(attempts[0]!.error).toMatch(/^TLS failed \((DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|ERR_TLS_CERT_ALTNAME_INVALID)/);
  });

  it('connection refused: "refused", retried', async () => {
    const { status, attempts } = await settled(ids.refused!);
    expect(status).toBe('failed');
    retried(attempts, 'refused');
    expect(attempts[0]!.error).toBe('connection refused (ECONNREFUSED)');
  });

  it('a body trickling past the deadline after a 200: "timeout", retried (the whole exchange must fit the timeout)', async () => {
    const { status, attempts } = await settled(ids.slowBody!);
    expect(status).toBe('failed');
    retried(attempts, 'timeout');
  });
});

describe('DNS failure (classified without any lookup leaving the machine)', () => {
  // A real lookup of an unknown name would ask the configured resolver, off this machine;
  // the classifier gets the errors getaddrinfo produces instead.
  it.each(['ENOTFOUND', 'EAI_AGAIN', 'EAI_FAIL', 'EAI_NONAME'])('%s is "dns"', (code) => {
    const err = Object.assign(new Error(`getaddrinfo ${code} hooks.example.invalid`), { code });
    expect(classifyError(err, 3)).toEqual({ kind: 'error', errorClass: 'dns', error: `DNS lookup failed (${code}): getaddrinfo ${code} hooks.example.invalid`, durationMs: 3 });
  });
});
