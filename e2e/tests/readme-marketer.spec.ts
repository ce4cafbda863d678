import path from 'node:path';
import { expect, request as playwrightRequest, test, type APIRequestContext, type Page } from '@playwright/test';
import { CanvasPage } from '../support/canvas-page.ts';
import { apiClient, apiJson } from '../support/console-pages.ts';
import { login } from '../support/login.ts';

/**
 * The README's "Five minutes with Tripline", as written, for a marketer on the demo data:
 * the admin adds the marketer under Users and makes an ingest key under API keys; the
 * marketer creates the Gold-tier workflow from its template with the VIP campaign and the
 * demo's test inbox, test-runs it with the example event, publishes it, and the order the
 * README sends with the key moves cus_7 to gold: their workflow runs, the campaign is
 * switched on (Campaigns says by whom), the inbox gets a signed request (Deliveries).
 *
 * With TRIPLINE_SCREENSHOTS=docs/screenshots it also writes the README's images.
 */
let api: APIRequestContext;
const shots = process.env.TRIPLINE_SCREENSHOTS;
const shoot = async (page: Page, name: string) => {
  if (shots) await page.screenshot({ path: path.join(shots, name) });
};

test.use({ viewport: { width: 1440, height: 900 } });
test.beforeAll(async ({ baseURL }) => {
  api = await apiClient(baseURL!);
});
test.afterAll(() => api?.dispose());

test('"Five minutes with Tripline" works for a marketer as the README says', async ({ page, browser, baseURL }) => {
  test.setTimeout(180_000);
  const marketer = { email: `readme-marketer-${Date.now()}@e2e.local`, password: 'marketer-password-123' };

  // The admin adds you under Users (role marketer) and gives you an ingest key made under API keys.
  await login(page, undefined, '/users');
  await page.goto('/users');
  await page.getByLabel('Email').fill(marketer.email);
  await page.getByLabel('Password').fill(marketer.password);
  await page.getByLabel('Role', { exact: true }).selectOption('marketer');
  await page.getByRole('button', { name: 'Add user' }).click();
  await expect(page.getByRole('status')).toContainText(`${marketer.email} can now sign in as marketer`);
  await page.getByRole('link', { name: 'API keys' }).click();
  await page.getByLabel('Name').fill(`ingest for ${marketer.email}`);
  await expect(page.getByLabel('Scope')).toHaveValue('ingest'); // the default: it can only send events
  await page.getByRole('button', { name: 'Create key' }).click();
  const key = (await page.getByTestId('new-api-key').textContent())!.trim();
  await page.getByRole('button', { name: 'Done' }).click();
  await page.getByRole('button', { name: 'Sign out' }).click();

  // Signed in as the marketer: 1. Workflows → Start from a template → Gold tier …
  await login(page, marketer, '/workflows');
  // the demo data already ran: Runs shows every step, Event log the causation chains
  const nav = page.getByRole('navigation', { name: 'Main' });
  await nav.getByRole('link', { name: 'Runs' }).click();
  await expect(page.getByRole('heading', { name: 'Runs' })).toBeVisible();
  // (other specs' runs may come first in a full e2e run: the demo's are checked by workflow)
  expect((await apiJson(api, 'get', '/runs?workflowId=wf_demo_vip')).data.length).toBeGreaterThan(0);
  await expect(nav.getByRole('link', { name: 'Event log' })).toBeVisible();
  await page.goto('/workflows');
  await expect(page.getByRole('heading', { name: 'Start from a template' })).toBeVisible();
  await shoot(page, 'marketer-workflows.png');
  await page.getByRole('button', { name: 'Use template: Gold tier: VIP campaign and a message' }).click();
  await page.getByLabel('VIP campaign', { exact: true }).selectOption({ label: 'VIP early access' });
  await page.getByLabel('Messaging endpoint', { exact: true }).selectOption({ label: 'Test inbox: customer service desk (demo)' });
  await page.getByRole('button', { name: 'Create workflow' }).click();
  await expect(page).toHaveURL(/\/workflows\/wf_/);
  const workflowId = decodeURIComponent(new URL(page.url()).pathname.split('/').pop()!);
  const canvas = new CanvasPage(page);

  // 2. Test run with the example event: each step shows what it would do, nothing is sent. Publish.
  await canvas.tab('Test run').click();
  await page.getByRole('button', { name: 'Use the catalog example' }).click();
  await page.getByRole('button', { name: 'Run test' }).click();
  const result = page.getByTestId('test-result');
  await expect(result).toContainText('Result:');
  await expect(result.getByTestId('step-outcome').filter({ hasText: 'would send' })).toHaveCount(1);
  await expect(result.getByTestId('step-outcome').filter({ hasText: 'would activate' })).toHaveCount(1);
  await shoot(page, 'marketer-test-run.png');
  await canvas.publish(1);

  // 3. Send an order with the key: cus_7 moves from bronze to gold.
  const withKey = await playwrightRequest.newContext({ baseURL, extraHTTPHeaders: { authorization: `Bearer ${key}` } });
  const sent = await withKey.post('/api/v1/events', {
    data: { type: 'order.created', data: { orderId: '1003', customerId: 'cus_7', status: 'paid', total: 640, currency: 'EUR', items: [{ sku: 'HOODIE-GRY-L', quantity: 8, price: 80 }] } },
  });
  expect(sent.status(), await sent.text()).toBe(202);
  await withKey.dispose();

  try {
    // your workflow runs …
    const run = async () => (await apiJson(api, 'get', `/runs?workflowId=${workflowId}`)).data[0] as { id: string; status: string } | undefined;
    await expect.poll(async () => (await run())?.status, { timeout: 60_000 }).toBe('succeeded');
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Runs' }).click();
    await page.goto(`/runs/${(await run())!.id}`);
    await expect(page.getByTestId('step-vip-campaign')).toBeVisible();
    await shoot(page, 'marketer-run.png');
    // … the campaign activates (Campaigns shows who switched it on and when) …
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Campaigns' }).click();
    const vip = page.getByTestId('campaign-row').filter({ hasText: 'VIP early access' });
    await expect(vip).toContainText('active');
    await vip.getByRole('button', { name: 'History of VIP early access' }).click();
    const ourRun = (await run())!.id;
    await expect(page.getByRole('region', { name: 'Activation history' }).getByRole('row').filter({ hasText: ourRun })).toContainText('activate');
    await shoot(page, 'marketer-campaigns.png');
    // … and the endpoint subscribed to orders receives a Standard-Webhooks-signed request (Deliveries).
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Deliveries' }).click();
    await expect(page.getByTestId('delivery-row').filter({ hasText: 'Customer service desk (demo)' }).filter({ hasText: 'order.created' }).first()).toBeVisible();
  } finally {
    await apiJson(api, 'post', `/workflows/${workflowId}/disable`, {}).catch(() => undefined);
  }
  void browser;
});
