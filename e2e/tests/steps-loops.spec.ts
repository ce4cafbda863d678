import { expect, request as playwrightRequest, test, type APIRequestContext, type Page } from '@playwright/test';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { E2E_API_KEY } from '../../playwright.config.ts';
import { CanvasPage } from '../support/canvas-page.ts';
import { login } from '../support/login.ts';

/** for_each and wait_for_event as a new user meets them: from the palette, published, on real events. */
let receiver: http.Server;
const received: { path: string; body: Record<string, any> }[] = [];
let admin: APIRequestContext;
let endpointId: string;
/** A second endpoint for the wait workflow: the for_each workflow (still live) also hears order.created. */
let thanksEndpointId: string;

test.use({ viewport: { width: 1600, height: 950 } });

test.beforeAll(async ({ baseURL }) => {
  receiver = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      received.push({ path: req.url ?? '', body: JSON.parse(body) });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  admin = await playwrightRequest.newContext({ baseURL, extraHTTPHeaders: { authorization: `Bearer ${E2E_API_KEY}` } });
  const endpoint = await admin.post('/api/v1/endpoints', {
    data: { url: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/supplier`, description: 'Supplier desk', eventTypes: [] },
  });
  expect(endpoint.status(), await endpoint.text()).toBe(201);
  endpointId = ((await endpoint.json()) as { id: string }).id;
  const thanks = await admin.post('/api/v1/endpoints', {
    data: { url: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/thanks`, description: 'Messaging tool', eventTypes: [] },
  });
  expect(thanks.status(), await thanks.text()).toBe(201);
  thanksEndpointId = ((await thanks.json()) as { id: string }).id;
});

/** Published here, deleted at the end: later specs' events must not reach a receiver that is gone. */
const published: string[] = [];

test.afterAll(async () => {
  for (const id of published) await admin.delete(`/api/v1/workflows/${encodeURIComponent(id)}`);
  await admin?.dispose();
  await new Promise((resolve) => receiver?.close(resolve));
});

test.beforeEach(async ({ page }) => {
  await login(page, undefined, '/workflows');
});

const sentFor = (customerId: string, path = '/supplier') => received.filter((r) => r.path === path && r.body.data?.customerId === customerId);

async function newWorkflow(page: Page, name: string): Promise<CanvasPage> {
  const canvas = new CanvasPage(page);
  await page.getByRole('button', { name: 'New workflow' }).click();
  await expect(canvas.canvas).toBeVisible();
  await page.getByLabel('Workflow name').fill(name);
  return canvas;
}

const workflowIdOf = (page: Page) => {
  const id = decodeURIComponent(new URL(page.url()).pathname.split('/').pop()!);
  published.push(id);
  return id;
};

async function latestRun(workflowId: string, customerId: string): Promise<{ id: string; status: string } | undefined> {
  const runs = (await (await admin.get(`/api/v1/runs?workflowId=${encodeURIComponent(workflowId)}&subject=${customerId}`)).json()) as { data: { id: string; status: string }[] };
  return runs.data[0];
}

test('a for_each from the palette sends one webhook per ordered item, in order, and the run view shows the iterations', async ({ page }) => {
  const canvas = await newWorkflow(page, 'Each item to the supplier');
  await canvas.dragFromPalette('trigger', 140, 200);
  await canvas.combobox(/^Event type/).selectOption('order.created');
  await canvas.dragFromPalette('for_each', 440, 200);
  await expect(canvas.node('for_each-1')).toContainText('each of data.items');
  await canvas.dragFromPalette('webhook', 760, 120);
  await canvas.combobox(/^Endpoint/).selectOption(endpointId);

  await canvas.connect('trigger', 'out', 'for_each-1');
  await canvas.connect('for_each-1', 'each', 'webhook-1');
  await expect(canvas.problems).toHaveCount(0);
  await canvas.expectSaved();
  await canvas.publish(1);
  const workflowId = workflowIdOf(page);

  const items = ['MUG-1', 'TEE-2', 'CAP-3'].map((sku) => ({ sku, quantity: 1, price: 10 }));
  const order = { type: 'order.created', data: { orderId: 'e2e-each', customerId: 'cus_e2e_each', status: 'pending', total: 30, currency: 'EUR', items } };
  expect((await admin.post('/api/v1/events', { data: order })).status()).toBe(202);

  await expect.poll(() => sentFor('cus_e2e_each').map((r) => `${r.body.index}:${r.body.item?.sku}`)).toEqual(['0:MUG-1', '1:TEE-2', '2:CAP-3']);
  await expect.poll(async () => (await latestRun(workflowId, 'cus_e2e_each'))?.status).toBe('succeeded');

  const run = (await latestRun(workflowId, 'cus_e2e_each'))!;
  await page.goto(`/runs/${run.id}`);
  await expect(page.getByTestId('run-canvas')).toContainText('3 iterations');
  await expect(page.getByTestId('run-canvas')).toContainText('3 items');
});

test('a wait_for_event from the palette parks the run until the customer pays, then follows received with the payment', async ({ page }) => {
  const canvas = await newWorkflow(page, 'Thank on payment');
  await canvas.dragFromPalette('trigger', 140, 200);
  await canvas.combobox(/^Event type/).selectOption('order.created');
  await canvas.dragFromPalette('wait_for_event', 440, 200);
  await expect(canvas.node('wait_for_event-1')).toContainText('order.paid, up to 1 h');
  await canvas.dragFromPalette('webhook', 780, 120);
  await canvas.combobox(/^Endpoint/).selectOption(thanksEndpointId);
  await canvas.dragFromPalette('stop', 780, 380);

  await canvas.connect('trigger', 'out', 'wait_for_event-1');
  await canvas.connect('wait_for_event-1', 'received', 'webhook-1');
  await canvas.connect('wait_for_event-1', 'timeout', 'stop-1');
  await expect(canvas.problems).toHaveCount(0);
  await canvas.expectSaved();
  await canvas.publish(1);
  const workflowId = workflowIdOf(page);

  const order = (type: string) => ({
    type,
    data: { orderId: 'e2e-wait', customerId: 'cus_e2e_wait', status: type === 'order.paid' ? 'paid' : 'pending', total: 25, currency: 'EUR', items: [{ sku: 'W-1', quantity: 1, price: 25 }] },
  });
  expect((await admin.post('/api/v1/events', { data: order('order.created') })).status()).toBe(202);
  await expect.poll(async () => (await latestRun(workflowId, 'cus_e2e_wait'))?.status).toBe('waiting');
  const run = (await latestRun(workflowId, 'cus_e2e_wait'))!;

  await page.goto(`/runs/${run.id}`);
  await expect(page.getByTestId('run-canvas')).toContainText('waiting for order.paid');
  expect(sentFor('cus_e2e_wait', '/thanks')).toEqual([]);

  expect((await admin.post('/api/v1/events', { data: order('order.paid') })).status()).toBe(202);
  await expect.poll(async () => (await latestRun(workflowId, 'cus_e2e_wait'))?.status).toBe('succeeded');
  await expect.poll(() => sentFor('cus_e2e_wait', '/thanks').length).toBe(1);
  expect(sentFor('cus_e2e_wait', '/thanks')[0]!.body.vars.received).toMatchObject({ type: 'order.paid', data: { orderId: 'e2e-wait' } });

  await page.reload();
  await expect(page.getByTestId('run-canvas')).toContainText('→ received');
});
