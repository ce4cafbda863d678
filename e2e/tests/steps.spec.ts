import { expect, request as playwrightRequest, test, type APIRequestContext } from '@playwright/test';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { E2E_API_KEY } from '../../playwright.config.ts';
import { CanvasPage } from '../support/canvas-page.ts';
import { login } from '../support/login.ts';

/** The new steps as a new user meets them: from the palette, on the canvas, on real events. */
let receiver: http.Server;
const received: { body: string }[] = [];
let admin: APIRequestContext;
let endpointId: string;

test.use({ viewport: { width: 1600, height: 950 } });

test.beforeAll(async ({ baseURL }) => {
  receiver = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      received.push({ body });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  admin = await playwrightRequest.newContext({ baseURL, extraHTTPHeaders: { authorization: `Bearer ${E2E_API_KEY}` } });
  const endpoint = await admin.post('/api/v1/endpoints', {
    data: { url: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/big-orders`, description: 'Big-order desk', eventTypes: [] },
  });
  expect(endpoint.status(), await endpoint.text()).toBe(201);
  endpointId = ((await endpoint.json()) as { id: string }).id;
});

test.afterAll(async () => {
  await admin?.dispose();
  await new Promise((resolve) => receiver?.close(resolve));
});

test.beforeEach(async ({ page }) => {
  await login(page, undefined, '/workflows');
});

test('a switch is built from the palette, its cases become named outputs, and events follow the first true case', async ({ page }) => {
  const canvas = new CanvasPage(page);
  await page.getByRole('button', { name: 'New workflow' }).click();
  await expect(canvas.canvas).toBeVisible();
  await page.getByLabel('Workflow name').fill('Order size switch');

  // the palette groups the new steps
  await expect(page.getByRole('region', { name: 'Loops and waits' }).getByTestId('palette-for_each')).toBeVisible();
  await expect(page.getByRole('region', { name: 'Data' }).getByTestId('palette-http_request')).toBeVisible();

  await canvas.dragFromPalette('trigger', 140, 200);
  await canvas.combobox(/^Event type/).selectOption('order.created');
  await canvas.dragFromPalette('switch', 440, 200);
  await expect(canvas.node('switch-1')).toContainText('big_order / default');

  // rename the first case and add a second: each is a handle by name as soon as it exists
  const first = page.getByTestId('switch-case-0');
  await first.getByLabel('Output name').fill('big');
  await first.getByLabel('Rule 1 value', { exact: true }).fill('500');
  await page.getByRole('button', { name: '+ Add case' }).click();
  await page.getByTestId('switch-case-1').getByLabel('Output name').fill('medium');
  await expect(page.locator('.react-flow__handle[data-nodeid="switch-1"][data-handleid="big"]')).toBeVisible();
  await expect(page.locator('.react-flow__handle[data-nodeid="switch-1"][data-handleid="medium"]')).toBeVisible();
  await expect(page.locator('.react-flow__handle[data-nodeid="switch-1"][data-handleid="default"]')).toBeVisible();

  await canvas.dragFromPalette('webhook', 760, 120);
  await canvas.combobox(/^Endpoint/).selectOption(endpointId);
  await canvas.dragFromPalette('stop', 760, 380);

  await canvas.connect('trigger', 'out', 'switch-1');
  await canvas.connect('switch-1', 'big', 'webhook-1');
  await canvas.connect('switch-1', 'default', 'stop-1');
  await expect(canvas.problems).toHaveCount(0);
  await canvas.expectSaved();
  await canvas.publish(1);
  const workflowId = decodeURIComponent(new URL(page.url()).pathname.split('/').pop()!);

  const order = (orderId: string, customerId: string, total: number) => ({
    type: 'order.created',
    data: { orderId, customerId, status: 'pending', total, currency: 'EUR', items: [{ sku: 'E2E', quantity: 1, price: total }] },
  });
  expect((await admin.post('/api/v1/events', { data: [order('e2e-big', 'cus_e2e_big', 900), order('e2e-small', 'cus_e2e_small', 20)] })).status()).toBe(202);

  const pathOf = async (customerId: string) => {
    const runs = (await (await admin.get(`/api/v1/runs?workflowId=${encodeURIComponent(workflowId)}&subject=${customerId}`)).json()) as { data: { id: string; status: string }[] };
    if (runs.data[0]?.status !== 'succeeded') return runs.data[0]?.status ?? 'none';
    const run = (await (await admin.get(`/api/v1/runs/${runs.data[0].id}`)).json()) as { steps: { nodeId: string }[] };
    return run.steps.map((s) => s.nodeId).join(' → ');
  };
  await expect.poll(() => pathOf('cus_e2e_big')).toBe('trigger → switch-1 → webhook-1');
  await expect.poll(() => pathOf('cus_e2e_small')).toBe('trigger → switch-1 → stop-1');
  await expect.poll(() => received.some((r) => r.body.includes('cus_e2e_big'))).toBe(true);
  expect(received.some((r) => r.body.includes('cus_e2e_small'))).toBe(false);
});
