import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { expect, test, type APIRequestContext } from '@playwright/test';
import { Webhook } from 'standardwebhooks';
import { apiClient, apiJson } from '../support/console-pages.ts';
import { login } from '../support/login.ts';

/**
 * The partner portal as people use it: an admin makes a link on the endpoint page, a partner
 * opens it in a fresh browser (no Tripline session), sees their deliveries, replays one,
 * sends a test event to their (loopback) receiver and rotates the secret. A second
 * partner's endpoint and deliveries never appear on the first partner's page, nor the reverse.
 */

interface Hit {
  headers: http.IncomingHttpHeaders;
  body: string;
}
interface Recorder {
  url: string;
  hits: Hit[];
  close(): Promise<void>;
}

async function recorder(): Promise<Recorder> {
  const hits: Hit[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      hits.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`,
    hits,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

const verify = (secret: string, hit: Hit) =>
  new Webhook(secret).verify(hit.body, {
    'webhook-id': String(hit.headers['webhook-id']),
    'webhook-timestamp': String(hit.headers['webhook-timestamp']),
    'webhook-signature': String(hit.headers['webhook-signature']),
  });

async function until<T>(what: string, fn: () => T | undefined | Promise<T | undefined>): Promise<T> {
  const end = Date.now() + 30_000;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

let api: APIRequestContext;
let a: Recorder;
let b: Recorder;

test.beforeAll(async ({ baseURL }) => {
  api = await apiClient(baseURL!);
  a = await recorder();
  b = await recorder();
});
test.afterAll(async () => {
  await api?.dispose();
  await a?.close();
  await b?.close();
});

test('an admin shares an endpoint; the partner replays, tests and rotates without an account, and sees only their own', async ({ page, browser }) => {
  const stamp = Date.now();
  const epA = await apiJson(api, 'post', '/endpoints', { url: a.url, description: `Fulfilment partner ${stamp}`, eventTypes: ['order.created'] });
  const epB = await apiJson(api, 'post', '/endpoints', { url: b.url, description: `Affiliate network ${stamp}`, eventTypes: ['order.created'] });
  await apiJson(api, 'post', '/events', {
    type: 'order.created',
    data: { orderId: `o-portal-${stamp}`, customerId: 'cus_portal', status: 'paid', total: 42, currency: 'EUR', items: [{ sku: 'MUG', quantity: 1, price: 42 }] },
  });
  await until('both partners to get the order', () => (a.hits.length && b.hits.length ? true : undefined));
  const linkB = await apiJson(api, 'post', '/portal/links', { endpointIds: [epB.id], name: 'Affiliates' });

  // The admin: two clicks on the endpoint page.
  await login(page, undefined, `/endpoints/${epA.id}`);
  await page.goto(`/endpoints/${epA.id}`);
  const links = page.getByRole('region', { name: 'Partner portal links' });
  await links.getByRole('button', { name: 'Share with a partner' }).click();
  await links.getByRole('button', { name: 'Create link' }).click();
  const url = (await links.getByTestId('portal-link-url').textContent())!.trim();
  expect(url).toMatch(/\/portal\/pl_[\w-]+#token=tlp_/);
  await expect(links.getByTestId('portal-link-row')).toHaveCount(1);
  await expect(links.getByTestId('portal-link-row').first()).toHaveAttribute('data-status', 'active');

  // The partner: a fresh browser context, no session cookie.
  const partner = await browser.newContext();
  const p = await partner.newPage();
  await p.goto(url);
  await expect(p.getByTestId('portal-endpoint')).toHaveCount(1);
  await expect(p.getByTestId('portal-endpoint')).toContainText(`Fulfilment partner ${stamp}`);
  expect(p.url()).not.toContain('tlp_'); // the token left the address bar
  expect((await partner.cookies()).map((c) => c.name)).not.toContain('tripline_session');
  const rows = p.getByTestId('portal-delivery-row');
  await expect(rows).toHaveCount(1);
  await expect(rows.first()).toHaveAttribute('data-status', 'succeeded');

  // Replay: the same webhook-id arrives again.
  const firstId = String(a.hits[0]!.headers['webhook-id']);
  const before = a.hits.length;
  await rows.first().getByRole('button', { name: /Open delivery/ }).click();
  const detail = p.getByTestId('portal-delivery-detail');
  await expect(detail.getByTestId('portal-attempt').first()).toContainText('HTTP 200');
  await detail.getByRole('button', { name: 'Replay' }).click();
  await expect(detail.getByRole('status')).toContainText('Replay queued');
  await until('the replay', () => (a.hits.length > before ? true : undefined));
  expect(a.hits.at(-1)!.headers['webhook-id']).toBe(firstId);
  verify(epA.secret, a.hits.at(-1)!);

  // Send a test event to the loopback receiver: signed with the current secret.
  await p.getByLabel('Test event type').selectOption('order.refunded');
  await p.getByRole('button', { name: 'Send test event' }).click();
  await expect(p.getByRole('region', { name: 'Tools' }).getByRole('status')).toContainText('Test order.refunded sent');
  const test1 = await until('the test event', () => a.hits.find((h) => JSON.parse(h.body).type === 'order.refunded'));
  verify(epA.secret, test1);
  if (process.env.TRIPLINE_SCREENSHOTS) {
    // `TRIPLINE_SCREENSHOTS=docs/screenshots npx playwright test e2e/tests/portal.spec.ts` refreshes the docs image
    await expect(rows).toHaveCount(2);
    await p.screenshot({ path: path.join(process.env.TRIPLINE_SCREENSHOTS, 'portal.png'), fullPage: true });
  }

  // Rotate the secret: shown once; the next test verifies with it.
  await p.getByRole('button', { name: 'Rotate secret' }).click();
  await p.getByRole('button', { name: 'Yes, rotate secret' }).click(); // asked in the page, not in a browser dialog
  const secret = (await p.getByTestId('rotated-secret').textContent())!.trim();
  expect(secret).toMatch(/^whsec_/);
  await p.getByLabel('Test event type').selectOption('customer.created');
  await p.getByRole('button', { name: 'Send test event' }).click();
  const test2 = await until('the test after rotation', () => a.hits.find((h) => JSON.parse(h.body).type === 'customer.created'));
  verify(secret, test2);
  await expect(rows).toHaveCount(3);

  // The catalog and the verification code are there, for their types.
  await p.getByRole('tab', { name: 'Event catalog' }).click();
  await expect(p.getByTestId('portal-event-type')).toHaveCount(1);
  await expect(p.getByTestId('portal-event-type').first()).toContainText('order.created');
  await p.getByRole('tab', { name: 'Verify signatures' }).click();
  for (const language of ['Node', 'Python', 'Go']) {
    await p.getByRole('tab', { name: language }).click();
    await expect(p.getByLabel(`${language} code`)).toContainText(language === 'Go' ? 'NewWebhook' : 'Webhook');
  }

  // Nothing of the second partner on this page.
  await p.getByRole('tab', { name: 'Deliveries' }).click();
  const textA = await p.locator('body').innerText();
  expect(textA).not.toContain(`Affiliate network ${stamp}`);
  expect(textA).not.toContain(b.url);

  // The second partner sees their own endpoint only, and none of the first partner's deliveries.
  const second = await browser.newContext();
  const q = await second.newPage();
  await q.goto(linkB.url);
  await expect(q.getByTestId('portal-endpoint')).toHaveCount(1);
  await expect(q.getByTestId('portal-endpoint')).toContainText(`Affiliate network ${stamp}`);
  await expect(q.getByTestId('portal-delivery-row')).toHaveCount(1);
  const textB = await q.locator('body').innerText();
  expect(textB).not.toContain(`Fulfilment partner ${stamp}`);
  expect(textB).not.toContain(firstId.slice(0, 16));

  // Revoked on the endpoint page: the partner's page stops working.
  await links.getByRole('button', { name: 'Revoke' }).click();
  await links.getByRole('button', { name: 'Yes, revoke' }).click();
  await expect(links.getByTestId('portal-link-row').first()).toHaveAttribute('data-status', 'revoked');
  await p.reload();
  await expect(p.getByRole('alert')).toContainText('no longer works');
  await partner.close();
  await second.close();
});
