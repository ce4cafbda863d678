import dns from 'node:dns/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../support/engine.ts';
import { startTestTripline, type TestTripline } from '../support/tripline.ts';

/**
 * SSRF with TRIPLINE_ALLOW_PRIVATE_TARGETS=0: loopback in every spelling is refused when
 * an endpoint is saved and again when a delivery connects; a loopback receiver never sees
 * a request. Private and metadata addresses are checked at save time only: nothing here
 * ever connects to an address off this machine.
 */
let t: TestTripline;
let hits = 0;
let server: http.Server;
let port = 0;

beforeAll(async () => {
  t = await startTestTripline({ TRIPLINE_ALLOW_PRIVATE_TARGETS: '0' });
  server = http.createServer((_req, res) => {
    hits++;
    res.writeHead(200).end('ok');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});
afterAll(async () => {
  server?.closeAllConnections();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  await t?.stop();
});

async function saveEndpoint(url: string) {
  const res = await t.api('/api/v1/endpoints', { method: 'POST', json: { url, eventTypes: ['order.created'] } });
  const body = (await res.json()) as { id?: string; error?: { code: string; message: string; details: { path: string; message: string }[] } };
  return { status: res.status, body };
}

const HINT = 'private and loopback targets are refused unless TRIPLINE_ALLOW_PRIVATE_TARGETS=1';

/** This machine's own name, when /etc/hosts maps it to loopback (it does on the CI image). */
async function loopbackHostname(): Promise<string | undefined> {
  try {
    const addresses = await dns.lookup(os.hostname(), { all: true });
    return addresses.length > 0 && addresses.every((a) => a.address.startsWith('127.') || a.address === '::1') ? os.hostname() : undefined;
  } catch {
    return undefined;
  }
}

describe('SSRF: loopback in every spelling', () => {
  const spellings: [string, string][] = [
    ['127.0.0.1', `resolves to 127.0.0.1, a loopback address; ${HINT}`],
    ['127.1', `resolves to 127.0.0.1, a loopback address; ${HINT}`],
    ['2130706433', `resolves to 127.0.0.1, a loopback address; ${HINT}`],
    ['0x7f000001', `resolves to 127.0.0.1, a loopback address; ${HINT}`],
    ['0177.0.0.1', `resolves to 127.0.0.1, a loopback address; ${HINT}`],
    ['0.0.0.0', 'resolves to 0.0.0.0, the unspecified address'],
    ['[::1]', `resolves to ::1, a loopback address; ${HINT}`],
    ['[::ffff:127.0.0.1]', `resolves to ::ffff:7f00:1, a loopback address; ${HINT}`],
    ['localhost', `points to this machine (localhost); ${HINT}`],
    ['LOCALHOST.', `points to this machine (localhost.); ${HINT}`],
  ];

  it.each(spellings)('%s is refused when the endpoint is saved', async (host, reason) => {
    const { status, body } = await saveEndpoint(`http://${host}:${port}/hook`);
    expect(status).toBe(422);
    expect(body.error!.details).toContainEqual({ path: 'url', message: `the URL ${reason}` });
  });

  it("a name that resolves to loopback (this machine's hostname) is refused at save time", async () => {
    const name = await loopbackHostname();
    if (!name) return; // no loopback mapping for the hostname on this machine
    const { status, body } = await saveEndpoint(`http://${name}:${port}/hook`);
    expect(status).toBe(422);
    expect(body.error!.details).toContainEqual({ path: 'url', message: `the URL resolves to 127.0.0.1, a loopback address; ${HINT}` });
  });

  it('deliveries to loopback targets are refused on connect, recorded as ssrf_blocked, and never arrive', async () => {
    // Endpoints saved with a public literal (never contacted), then pointed at loopback in the
    // database, as DNS rebinding or a row changed behind the API's back would do.
    const targets = ['127.0.0.1', '127.1', '2130706433', '0x7f000001', '0.0.0.0', '[::1]', '[::ffff:127.0.0.1]', 'localhost'];
    const name = await loopbackHostname();
    if (name) targets.push(name);
    const ids: string[] = [];
    for (const host of targets) {
      const created = await saveEndpoint('http://93.184.216.34/hook');
      expect(created.status).toBe(201);
      await t.ctx.pool.query('update endpoints set url = $2 where id = $1', [created.body.id, `http://${host}:${port}/hook`]);
      ids.push(created.body.id!);
    }
    const res = await t.api('/api/v1/events', {
      method: 'POST',
      json: { type: 'order.created', data: { orderId: 'o1', customerId: 'c1', status: 'paid', total: 1, currency: 'EUR', items: [] } },
    });
    expect(res.status).toBe(202);
    const attempts = await eventually(
      async () => {
        const { rows } = await t.ctx.pool.query<{ endpoint_id: string; url: string; error_class: string; error: string }>(
          `select distinct on (d.endpoint_id) d.endpoint_id, a.url, a.error_class, a.error
             from delivery_attempts a join deliveries d on d.id = a.delivery_id
            where d.endpoint_id = any($1) order by d.endpoint_id, a.attempt`,
          [ids],
        );
        return rows.length === ids.length && rows;
      },
      'an attempt for every loopback endpoint',
    );
    for (const a of attempts) {
      expect(a.error_class, a.url).toBe('ssrf_blocked');
      expect(a.error, a.url).toMatch(/^target (refused: \S+ )?(resolves to \S+, |points to this machine)/);
    }
    if (name) {
      // Not recognisable from the URL: caught by the lookup hook, on the address the socket would use.
      const byName = attempts.find((a) => a.url.includes(`//${name}:`))!;
      expect(byName.error).toBe(`target refused: ${name} resolves to 127.0.0.1, a loopback address; ${HINT}`);
    }
    // Let the retries run out (200ms, 400ms, 800ms): still nothing arrives.
    await eventually(async () => {
      const { rows } = await t.ctx.pool.query(`select count(*)::int as n from deliveries where endpoint_id = any($1) and status = 'failed'`, [ids]);
      return rows[0].n === ids.length;
    }, 'every loopback delivery to fail for good');
    const { rows } = await t.ctx.pool.query(`select distinct error_class from delivery_attempts`);
    expect(rows).toEqual([{ error_class: 'ssrf_blocked' }]);
    expect(hits).toBe(0);
  });
});

describe('SSRF: private and metadata addresses (save-time only, never contacted)', () => {
  it.each([
    ['169.254.169.254', 'resolves to 169.254.169.254, a link-local address (cloud metadata lives there)'],
    ['10.0.0.5', 'resolves to 10.0.0.5, a private network address'],
    ['172.16.0.1', 'resolves to 172.16.0.1, a private network address'],
    ['172.31.255.254', 'resolves to 172.31.255.254, a private network address'],
    ['192.168.1.1', 'resolves to 192.168.1.1, a private network address'],
    ['100.64.0.1', 'resolves to 100.64.0.1, a carrier-grade NAT address'],
    ['[fc00::1]', 'resolves to fc00::1, a unique-local IPv6 address'],
    ['[fd12:3456::1]', 'resolves to fd12:3456::1, a unique-local IPv6 address'],
    ['[fe80::1]', 'resolves to fe80::1, a link-local address (cloud metadata lives there)'],
    ['[::ffff:169.254.169.254]', 'resolves to ::ffff:a9fe:a9fe, a link-local address (cloud metadata lives there)'],
    ['0xa9fea9fe', 'resolves to 169.254.169.254, a link-local address (cloud metadata lives there)'],
  ])('%s is refused', async (host, reason) => {
    const { status, body } = await saveEndpoint(`http://${host}/latest/meta-data`);
    expect(status).toBe(422);
    const hint = reason.includes('unique-local') || reason.includes('private') || reason.includes('link-local') || reason.includes('carrier') ? `; ${HINT}` : '';
    expect(body.error!.details).toContainEqual({ path: 'url', message: `the URL ${reason}${hint}` });
  });

  it('credentials and non-http schemes are refused too', async () => {
    for (const [url, message] of [
      ['file:///etc/passwd', 'the URL must use http or https'],
      ['gopher://127.0.0.1:70/', 'the URL must use http or https'],
      ['http://user:pw@93.184.216.34/', 'the URL must not contain credentials; use custom headers or an auth method'],
    ]) {
      const { status, body } = await saveEndpoint(url!);
      expect(status, url).toBe(422);
      expect(body.error!.details, url).toContainEqual({ path: 'url', message });
    }
  });
});
