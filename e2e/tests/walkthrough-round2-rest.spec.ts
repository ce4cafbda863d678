import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import path from 'node:path';
import { expect, test, type APIRequestContext } from '@playwright/test';
import { Webhook } from 'standardwebhooks';
import { E2E_ADMIN } from '../../playwright.config.ts';
import { nodeVerifySample } from '../../shared/src/samples/node-verify.ts';
import { CanvasPage } from '../support/canvas-page.ts';
import { apiClient, apiJson } from '../support/console-pages.ts';
import { login } from '../support/login.ts';

/**
 * Issue 26, what the first round left: for_each items named in test runs and the run view
 * (10), a marketer's palette limited to the steps their admin allows (1), the store's name
 * and logo in the partner portal, and one Node sample that runs as pasted in a CommonJS
 * project and says why it refused a request (11).
 */
let api: APIRequestContext;
let supplier: http.Server;
let supplierUrl: string;
const askAdmin = `ask an admin (${E2E_ADMIN.email}`;

test.use({ viewport: { width: 1600, height: 950 } });
test.beforeAll(async ({ baseURL }) => {
  api = await apiClient(baseURL!);
  supplier = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(204).end());
  });
  await new Promise<void>((resolve) => supplier.listen(0, '127.0.0.1', resolve));
  supplierUrl = `http://127.0.0.1:${(supplier.address() as AddressInfo).port}/supplier`;
});
test.afterAll(async () => {
  await api?.dispose();
  await new Promise((resolve) => supplier?.close(resolve));
});

test('10. the test run and the run view say which loop item each step ran for: "Send to supplier · item 2 of 3"', async ({ page }) => {
  test.setTimeout(90_000);
  const tag = Date.now();
  const endpoint = await apiJson<{ id: string }>(api, 'post', '/endpoints', { url: supplierUrl, description: `Supplier ${tag}`, eventTypes: [] });
  const wf = await apiJson<{ id: string }>(api, 'post', '/workflows', {
    name: `Each item ${tag}`,
    graph: {
      nodes: [
        { id: 'trigger', type: 'trigger', config: { eventType: 'order.created', filter: { '==': [{ var: 'data.orderId' }, `each-${tag}`] } }, position: { x: 0, y: 0 } },
        { id: 'each', type: 'for_each', config: { items: { var: 'data.items' } }, position: { x: 320, y: 0 } },
        { id: 'send', type: 'webhook', label: 'Send to supplier', config: { endpointId: endpoint.id }, position: { x: 640, y: 0 } },
      ],
      edges: [
        { id: 'e1', source: 'trigger', sourceHandle: 'out', target: 'each' },
        { id: 'e2', source: 'each', sourceHandle: 'each', target: 'send' },
      ],
    },
  });
  const order = { orderId: `each-${tag}`, customerId: `cus_each_${tag}`, status: 'pending', total: 30, currency: 'EUR', items: ['MUG', 'TEE', 'CAP'].map((sku) => ({ sku, quantity: 1, price: 10 })) };
  const labels = ['Send to supplier · item 1 of 3', 'Send to supplier · item 2 of 3', 'Send to supplier · item 3 of 3'];

  await login(page, undefined, `/workflows/${wf.id}`);
  await page.goto(`/workflows/${wf.id}`);
  const canvas = new CanvasPage(page);
  await canvas.tab('Test run').click();
  await page.getByLabel(/^Event data/).fill(JSON.stringify(order, null, 2));
  await page.getByRole('button', { name: 'Run test' }).click();
  const result = page.getByTestId('test-result');
  await expect(result.getByTestId('step-iteration')).toHaveText(labels);
  // the step's own inspector keeps the same items
  await canvas.select('send');
  await expect(page.getByRole('region', { name: 'Last test run of this step' }).getByTestId('step-iteration')).toHaveText(labels);

  try {
    await apiJson(api, 'post', `/workflows/${wf.id}/publish`, {});
    await apiJson(api, 'post', '/events', { type: 'order.created', data: order });
    const run = async () => (await apiJson(api, 'get', `/runs?workflowId=${wf.id}&status=succeeded`)).data[0]?.id as string | undefined;
    await expect.poll(run, { timeout: 45_000 }).toBeTruthy();
    await page.goto(`/runs/${await run()}`);
    await expect(page.getByTestId('step-send').getByTestId('step-iteration')).toHaveText(labels);
    // steps outside the loop say nothing of items (the engine stores -1 there)
    await expect(page.getByTestId('step-each').getByTestId('step-iteration')).toHaveCount(0);
  } finally {
    await apiJson(api, 'post', `/workflows/${wf.id}/disable`, {}).catch(() => undefined);
  }
});

test('1. a marketer sees the steps their admin keeps for editors greyed out, with whom to ask; the steps they may use still add', async ({ page }) => {
  const marketer = { email: `marketer-palette-${Date.now()}@e2e.local`, password: 'marketer-password-123' };
  await apiJson(api, 'post', '/users', { ...marketer, role: 'marketer' });
  const wf = await apiJson<{ id: string }>(api, 'post', '/workflows', {
    name: `Marketer palette ${Date.now()}`,
    graph: { nodes: [{ id: 'trigger', type: 'trigger', config: { eventType: 'order.paid' }, position: { x: 0, y: 0 } }], edges: [] },
  });
  await login(page, marketer, `/workflows/${wf.id}`);
  await page.goto(`/workflows/${wf.id}`);
  const canvas = new CanvasPage(page);
  await expect(canvas.node('trigger')).toBeVisible();
  const code = page.getByTestId('palette-code');
  await expect(code).toBeDisabled();
  await expect(code.getByTestId('palette-refused')).toHaveText('Kept for editors');
  const note = page.getByTestId('palette-refused-note');
  await expect(note).toContainText(`Greyed-out steps are kept for editors: ${askAdmin}`);
  await expect(note).toContainText('to allow them under Settings → Steps marketers may use, or an editor to add them.');
  await expect(code).toHaveAccessibleDescription(/Greyed-out steps are kept for editors/);
  await expect(page.getByTestId('palette-http_request')).toBeDisabled();
  // an allowed step is added as before
  await expect(page.getByTestId('palette-delay')).toBeEnabled();
  await expect(page.getByTestId('palette-delay').getByTestId('palette-refused')).toHaveCount(0);
  await canvas.select('trigger');
  await page.getByTestId('palette-delay').click();
  await expect(page.locator('.react-flow__node')).toHaveCount(2);
  await canvas.expectSaved();
});


test('11. the store name and logo set in Settings head the partner portal; an oversized logo is refused in words; the change is audited', async ({ page, browser }) => {
  test.setTimeout(90_000);
  const storeName = `Northwind ${Date.now()}`;
  await login(page, undefined, '/settings');
  await page.goto('/settings');
  const card = page.getByRole('region', { name: 'Partner portal' });
  // a 96×32 PNG logo, drawn by the browser
  const logoPng = Buffer.from(
    (
      await page.evaluate(() => {
        const c = document.createElement('canvas');
        c.width = 96;
        c.height = 32;
        const g = c.getContext('2d')!;
        g.fillStyle = '#0f766e';
        g.fillRect(0, 0, 96, 32);
        g.fillStyle = '#fff';
        g.font = 'bold 18px sans-serif';
        g.fillText('NW', 32, 23);
        return c.toDataURL('image/png');
      })
    ).split(',')[1]!,
    'base64',
  );
  await card.getByLabel('Store name').fill(storeName);
  const big = Buffer.concat([logoPng, Buffer.alloc(70 * 1024)]);
  await card.getByLabel('Logo').setInputFiles({ name: 'huge.png', mimeType: 'image/png', buffer: big });
  await card.getByRole('button', { name: 'Save portal branding' }).click();
  await expect(card.getByRole('alert')).toContainText('Not saved: logo: at most 64 KB; this image is');
  await expect(card.getByLabel('Store name')).toHaveValue(storeName);
  await card.getByLabel('Logo').setInputFiles({ name: 'logo.png', mimeType: 'image/png', buffer: logoPng });
  await expect(card.getByRole('img', { name: 'Logo preview' })).toBeVisible();
  await card.getByRole('button', { name: 'Save portal branding' }).click();
  await expect(card).toContainText('Saved: partners see this name and logo at the top of their portal.');
  const audit = await apiJson(api, 'get', '/audit?action=setting.updated&targetId=portalBranding');
  expect(audit.data[0]).toMatchObject({ actor: E2E_ADMIN.email, after: { storeName } });
  // the log names the image (type, size, hash) rather than carrying it
  expect(audit.data[0].after.logo).toMatch(new RegExp(`^image/png, ${logoPng.length} bytes, sha256 [0-9a-f]{16}…$`));

  // no subscription: later specs' events must not queue up for a receiver that is gone
  const ep = await apiJson<{ id: string }>(api, 'post', '/endpoints', { url: supplierUrl, description: `Branded ${Date.now()}`, eventTypes: [] });
  try {
    const link = await apiJson<{ url: string }>(api, 'post', '/portal/links', { endpointIds: [ep.id], name: 'Branded partner' });
    const partner = await browser.newContext();
    const p = await partner.newPage();
    await p.goto(link.url);
    const brand = p.getByTestId('portal-brand');
    await expect(brand).toContainText(`${storeName} · Webhooks portal`);
    const logo = brand.getByRole('img', { name: `${storeName} logo` });
    await expect(logo).toBeVisible();
    // it loaded under the portal's Content-Security-Policy (a blocked image has no width)
    expect(await logo.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).toBe(96);
    // `TRIPLINE_SCREENSHOTS=docs/screenshots` refreshes docs/portal.md's image of the header
    if (process.env.TRIPLINE_SCREENSHOTS) await p.screenshot({ path: path.join(process.env.TRIPLINE_SCREENSHOTS, 'portal-branding.png'), clip: { x: 0, y: 0, width: 1600, height: 360 } });
    await partner.close();
  } finally {
    await apiJson(api, 'put', '/settings/portalBranding', { value: { storeName: null, logo: null } });
    await api.delete(`/api/v1/endpoints/${ep.id}`);
  }
});

test('11. the catalog and the portal show the same Node sample, which runs as pasted in a CommonJS project and says why it refused a request', async ({ page, browser, context }) => {
  test.setTimeout(120_000);
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  await login(page, undefined, '/catalog/order.created');
  await page.goto('/catalog/order.created');
  await page.getByRole('button', { name: 'Copy code' }).click();
  const pasted = await page.evaluate(() => navigator.clipboard.readText());
  expect(pasted).toBe(nodeVerifySample.code);
  await expect(page.getByLabel('Node install')).toHaveText('npm install standardwebhooks express');
  await expect(page.getByTestId('node-sample-note')).toContainText('Save it as tripline-webhooks.mjs');
  await expect(page.getByTestId('node-sample-note')).toContainText('also in a CommonJS project');

  // the receiver: the pasted code, as tripline-webhooks.mjs, in a CommonJS project, on Node 20
  const port = await freePort();
  const dir = mkdtempSync(path.join(import.meta.dirname, '..', '.sample-'));
  writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'partner-app', version: '1.0.0', type: 'commonjs' }));
  writeFileSync(path.join(dir, nodeVerifySample.fileName), pasted);
  const ep = await apiJson<{ id: string; secret: string }>(api, 'post', '/endpoints', { url: `http://127.0.0.1:${port}${nodeVerifySample.path}`, description: `Sample receiver ${Date.now()}`, eventTypes: [] });
  const sample = startSample(dir, port, ep.secret);
  try {
    await expect.poll(() => sample.output(), { timeout: 30_000 }).toContain(`listening on http://localhost:${port}/webhooks/tripline`);

    // the portal shows the very same sample
    const link = await apiJson<{ url: string }>(api, 'post', '/portal/links', { endpointIds: [ep.id], name: 'Sample partner' });
    const partner = await browser.newContext();
    const p = await partner.newPage();
    await p.goto(link.url);
    await p.getByRole('tab', { name: 'Verify signatures' }).click();
    expect(await p.getByLabel('Node code').textContent()).toBe(nodeVerifySample.code);
    await expect(p.getByLabel('Node install')).toHaveText(nodeVerifySample.install);
    await partner.close();

    // a real delivery verifies and is logged with its webhook-id
    const delivery = await apiJson<{ id: string }>(api, 'post', `/endpoints/${ep.id}/test`, { eventType: 'order.created' });
    await expect.poll(() => sample.output(), { timeout: 30_000 }).toMatch(/received msg_\S+ order\.created/);
    await expect.poll(async () => (await apiJson(api, 'get', `/deliveries/${delivery.id}`)).status, { timeout: 30_000 }).toBe('succeeded');

    // a captured request sent again ten minutes later: refused as stale, not as a bad signature
    const body = JSON.stringify({ id: 'evt_stale', type: 'order.created', data: {} });
    const staleAt = new Date(Date.now() - 10 * 60_000);
    const stale = await postSigned(port, body, new Webhook(ep.secret).sign('msg_stale', staleAt, body), 'msg_stale', staleAt);
    expect(stale).toEqual({ status: 400, text: 'Message timestamp too old' });
    await expect.poll(() => sample.output()).toContain('refused a webhook: Message timestamp too old');
    // a body signed with another secret is the bad signature
    const now = new Date();
    const forged = await postSigned(port, body, new Webhook('whsec_' + Buffer.from('another-secret-of-32-bytes-long!').toString('base64')).sign('msg_forged', now, body), 'msg_forged', now);
    expect(forged).toEqual({ status: 400, text: 'No matching signature found' });
    await expect.poll(() => sample.output()).toContain('refused a webhook: No matching signature found');
  } finally {
    await api.delete(`/api/v1/endpoints/${ep.id}`);
    sample.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** `node tripline-webhooks.mjs` as its comment says, with the endpoint's secret and a free port. */
function startSample(dir: string, port: number, secret: string): { output: () => string; stop: () => void } {
  let out = '';
  const child: ChildProcess = spawn(process.execPath, [nodeVerifySample.fileName], { cwd: dir, env: { ...process.env, TRIPLINE_WEBHOOK_SECRET: secret, PORT: String(port) } });
  child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (out += c.toString()));
  return { output: () => out, stop: () => child.kill() };
}

async function postSigned(port: number, body: string, signature: string, id: string, at: Date): Promise<{ status: number; text: string }> {
  const res = await fetch(`http://127.0.0.1:${port}${nodeVerifySample.path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'webhook-id': id, 'webhook-timestamp': String(Math.floor(at.getTime() / 1000)), 'webhook-signature': signature },
    body,
  });
  return { status: res.status, text: await res.text() };
}
