import { expect, request as playwrightRequest, test, type APIRequestContext } from '@playwright/test';
import { apiClient, apiJson, DeliveriesList, startReceiver, type Receiver } from '../support/console-pages.ts';
import { login } from '../support/login.ts';

/**
 * Issue 26 item 6: an admin tends endpoints from the console: edits, disables and deletes one
 * on its page, follows the dashboard's "deliveries failing" to a Deliveries page with filters,
 * reads /metrics signed in or with a key made in the UI, and edits the metrics allow-list.
 */
let api: APIRequestContext;
let down: Receiver;
test.use({ viewport: { width: 1600, height: 950 } });
test.beforeAll(async ({ baseURL }) => {
  api = await apiClient(baseURL!);
  down = await startReceiver(500);
});
test.afterAll(async () => {
  await api?.dispose();
  await down?.close();
});

test('an admin edits an endpoint (URL, event types, description, filter, limits), disables it, then deletes it', async ({ page }) => {
  const ep = await apiJson<{ id: string }>(api, 'post', '/endpoints', { url: 'http://127.0.0.1:9/old', description: 'Old CRM', eventTypes: ['order.created'] });
  await login(page, undefined, `/endpoints/${ep.id}`);
  await page.goto(`/endpoints/${ep.id}`);
  const manage = page.getByRole('region', { name: 'Manage endpoint' });
  await manage.getByRole('button', { name: 'Edit endpoint' }).click();
  const form = page.getByRole('form', { name: 'Edit endpoint' });
  await form.getByLabel('URL').fill('http://127.0.0.1:9/new');
  await form.getByLabel('Description').fill('New CRM');
  await form.getByLabel('Event types').fill('order.created, order.paid');
  await form.getByLabel('Filter').fill('{"==": [');
  await form.getByLabel('Rate limit (requests per second)').fill('5');
  await form.getByRole('button', { name: 'Save endpoint' }).click();
  await expect(form.getByRole('alert')).toContainText('write a json-logic rule');
  await form.getByLabel('Filter').fill('{"==": [{"var": "data.status"}, "paid"]}');
  await form.getByRole('button', { name: 'Save endpoint' }).click();
  await expect(page.getByText('Saved the endpoint.')).toBeVisible();
  await expect(page.locator('header.page-header')).toContainText('New CRM');
  await expect(page.locator('header.page-header')).toContainText('http://127.0.0.1:9/new');
  await expect(page.getByText('5 requests/s')).toBeVisible();
  const saved = await apiJson(api, 'get', `/endpoints/${ep.id}`);
  expect(saved).toMatchObject({ url: 'http://127.0.0.1:9/new', description: 'New CRM', eventTypes: ['order.created', 'order.paid'], filter: { '==': [{ var: 'data.status' }, 'paid'] }, rateLimitPerSecond: 5 });

  await manage.getByRole('button', { name: 'Disable', exact: true }).click();
  await manage.getByRole('button', { name: 'Yes, disable' }).click();
  await expect(page.getByText('Disabled: new events are kept')).toBeVisible();
  await expect(page.locator('header.page-header [data-status="disabled"]')).toBeVisible();

  await manage.getByRole('button', { name: 'Delete endpoint' }).click();
  await manage.getByRole('button', { name: 'Yes, delete endpoint' }).click();
  await expect(page).toHaveURL(/\/endpoints$/);
  expect((await api.get(`/api/v1/endpoints/${ep.id}`)).status()).toBe(404);
});

test('the dashboard\'s "deliveries failing" opens the Deliveries page, filtered to failing, and the filters narrow it', async ({ page }) => {
  const tag = Date.now();
  const ep = await apiJson<{ id: string }>(api, 'post', '/endpoints', { url: down.url, description: `Down warehouse ${tag}`, eventTypes: ['discount.applied'] });
  await apiJson(api, 'post', '/events', { type: 'discount.applied', data: { code: `D${tag}`, customerId: `cus_dl_${tag}`, amount: 5 } });
  await expect.poll(async () => (await apiJson(api, 'get', `/deliveries?status=failing&endpointId=${ep.id}`)).data.length, { timeout: 20_000 }).toBe(1);

  await login(page, undefined, '/dashboard');
  await page.goto('/dashboard');
  await page.getByRole('link', { name: /Deliveries failing/ }).click();
  await expect(page).toHaveURL(/\/deliveries\?status=failing/);
  await expect(page.getByRole('heading', { name: 'Deliveries', level: 1 })).toBeVisible();
  const list = new DeliveriesList(page);
  await expect(list.filter('Status')).toHaveValue('failing');
  const row = list.rows().filter({ hasText: `Down warehouse ${tag}` });
  await expect(row).toHaveCount(1);
  await expect(row).toContainText('discount.applied');
  await list.filter('Endpoint').selectOption({ label: `Down warehouse ${tag}` });
  await expect(list.rows()).toHaveCount(1);
  await list.filter('Event type').selectOption('order.created');
  await expect(page.getByText('No delivery matches these filters')).toBeVisible();
  await list.filter('Event type').selectOption('discount.applied');
  await row.getByRole('link').first().click();
  await expect(page).toHaveURL(new RegExp(`/endpoints/${ep.id}\\?delivery=`));
});

test('a signed-in admin and an admin key made in the UI read /metrics; the allow-list is edited in Settings', async ({ page, baseURL }) => {
  await login(page, undefined, '/api-keys');
  const bySession = await page.request.get('/metrics');
  expect(bySession.status()).toBe(200);
  expect(await bySession.text()).toContain('tripline_');

  await page.goto('/api-keys');
  await page.getByLabel('Name').fill(`grafana ${Date.now()}`);
  await page.getByLabel('Scope').selectOption('admin');
  await page.getByRole('button', { name: 'Create key' }).click();
  const key = (await page.getByTestId('new-api-key').textContent())!.trim();
  const scraper = await playwrightRequest.newContext({ baseURL, extraHTTPHeaders: { authorization: `Bearer ${key}` } });
  expect((await scraper.get('/metrics')).status()).toBe(200);
  await scraper.dispose();

  await page.goto('/settings');
  // the settings have loaded (the forms fill from them) before anything is typed
  await expect(page.getByRole('region', { name: 'LTV tiers' }).getByLabel('Tier 1 name')).toHaveValue('bronze');
  const card = page.getByRole('region', { name: 'Metrics access' });
  await card.getByLabel('Metrics allow-list').fill('everyone');
  await card.getByRole('button', { name: 'Save allow-list' }).click();
  await expect(card.getByRole('alert')).toContainText('Not saved: 0: an IP address or CIDR range');
  await card.getByLabel('Metrics allow-list').fill('10.0.0.0/24\n192.0.2.7');
  await card.getByRole('button', { name: 'Save allow-list' }).click();
  await expect(card).toContainText('Saved: 10.0.0.0/24, 192.0.2.7 may scrape /metrics.');
  expect((await apiJson(api, 'get', '/settings')).data.metricsAllowList).toEqual(['10.0.0.0/24', '192.0.2.7']);
  await apiJson(api, 'put', '/settings/metricsAllowList', { value: [] });
});
