import { expect, test, type APIRequestContext } from '@playwright/test';
import { E2E_ADMIN } from '../../playwright.config.ts';
import { CanvasPage } from '../support/canvas-page.ts';
import { apiClient, apiJson, RunDetail, startReceiver, type Receiver } from '../support/console-pages.ts';
import { login } from '../support/login.ts';

/**
 * Issue 26 items 7, 9 and 10: retry with the fixed live version, durations and targets in
 * people's units, and the feedback people missed (unknown pages, disabled accounts, role
 * changes that ask first and confirm after).
 */
let api: APIRequestContext;
let down: Receiver;
let up: Receiver;
test.use({ viewport: { width: 1600, height: 950 } });
test.beforeAll(async ({ baseURL }) => {
  api = await apiClient(baseURL!);
  down = await startReceiver(500);
  up = await startReceiver(200);
});
test.afterAll(async () => {
  await api?.dispose();
  await down?.close();
  await up?.close();
});

const httpChain = (url: string) => ({
  nodes: [
    { id: 'trigger', type: 'trigger', config: { eventType: 'order.refunded' }, position: { x: 0, y: 0 } },
    { id: 'score', type: 'http_request', label: 'Ask loyalty API', config: { method: 'GET', url, saveAs: 'score', retries: 0 }, position: { x: 320, y: 0 } },
  ],
  edges: [{ id: 'e1', source: 'trigger', sourceHandle: 'out', target: 'score' }],
});

test('7. a run failed on a bug is retried with the fixed live version; the button names the step and the run says which versions', async ({ page }) => {
  const tag = Date.now();
  const wf = await apiJson<{ id: string; revision: number }>(api, 'post', '/workflows', { name: `Loyalty ${tag}`, graph: httpChain(down.url) });
  await apiJson(api, 'post', `/workflows/${wf.id}/publish`, {});
  await apiJson(api, 'post', '/events', { type: 'order.refunded', data: { orderId: `r-${tag}`, customerId: `cus_retry_${tag}`, amount: 5 } });
  const failedRun = async () => (await apiJson(api, 'get', `/runs?workflowId=${wf.id}&status=failed`)).data[0]?.id as string | undefined;
  await expect.poll(failedRun, { timeout: 20_000 }).toBeTruthy();
  const failed = (await failedRun())!;
  // the fix: the right URL, published as v2
  const current = await apiJson<{ revision: number }>(api, 'get', `/workflows/${wf.id}`);
  await apiJson(api, 'put', `/workflows/${wf.id}`, { graph: httpChain(up.url), revision: current.revision });
  await apiJson(api, 'post', `/workflows/${wf.id}/publish`, {});

  await login(page, undefined, `/runs/${failed}`);
  await page.goto(`/runs/${failed}`);
  const run = new RunDetail(page);
  await run.expectStatus('failed');
  await expect(page.getByRole('button', { name: 'Retry “Ask loyalty API” as it ran (v1)' })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Retry “Ask loyalty API” with the live version (v2)' })).toBeVisible();
  await expect(page.getByTestId('run-version')).toHaveText('(version 1)');
  await run.retry('with the live version');
  await run.expectStatus('succeeded');
  await expect(page.getByTestId('run-version')).toHaveText('(version 2: retried with the live version; first ran on version 1)');
});

test('9. durations in minutes, hours or days; LTV tiers and lifecycle edited in Settings; a new campaign for a segment', async ({ page }) => {
  test.setTimeout(120_000);
  const wf = await apiJson<{ id: string }>(api, 'post', '/workflows', {
    name: `Durations ${Date.now()}`,
    graph: {
      nodes: [
        { id: 'trigger', type: 'trigger', config: { eventType: 'order.paid' }, position: { x: 0, y: 0 } },
        { id: 'wait', type: 'delay', config: { seconds: 3600 }, position: { x: 320, y: 0 } },
      ],
      edges: [{ id: 'e1', source: 'trigger', sourceHandle: 'out', target: 'wait' }],
    },
  });
  await login(page, undefined, `/workflows/${wf.id}`);
  await page.goto(`/workflows/${wf.id}`);
  const canvas = new CanvasPage(page);
  await canvas.select('wait');
  await expect(canvas.field(/^Wait(?! unit)/)).toHaveValue('1');
  await expect(canvas.field('Wait unit')).toHaveValue('hours');
  await canvas.field(/^Wait(?! unit)/).fill('7');
  await canvas.field('Wait unit').selectOption('days');
  await canvas.expectSaved();
  await expect.poll(async () => (await apiJson(api, 'get', `/workflows/${wf.id}`)).graph.nodes[1].config.seconds).toBe(604800);

  // LTV tiers: out of order is refused in plain words, nothing lost; a good change is saved and audited
  await page.goto('/settings');
  const tiers = page.getByRole('region', { name: 'LTV tiers' });
  await tiers.getByLabel('Tier 3 minimum').fill('100');
  await tiers.getByRole('button', { name: 'Save tiers' }).click();
  await expect(tiers.getByRole('alert')).toContainText('Not saved: tiers must be in increasing order of min');
  await expect(tiers.getByLabel('Tier 3 minimum')).toHaveValue('100');
  await tiers.getByLabel('Tier 3 minimum').fill('600');
  await tiers.getByRole('button', { name: 'Save tiers' }).click();
  await expect(tiers).toContainText('Saved 4 LTV tiers.');
  expect((await apiJson(api, 'get', '/settings')).data.ltvTiers[2]).toEqual({ name: 'gold', min: 600 });
  const audit = await apiJson(api, 'get', '/audit?action=setting.updated&targetId=ltvTiers');
  expect(audit.data[0]).toMatchObject({ actor: E2E_ADMIN.email });

  const lifecycle = page.getByRole('region', { name: 'Customer lifecycle' });
  await lifecycle.getByLabel('Cart abandoned after minutes').fill('90');
  await lifecycle.getByRole('button', { name: 'Save cart time' }).click();
  await expect(lifecycle).toContainText('Carts now count as abandoned after 90 minutes.');
  await lifecycle.getByLabel('Lapsed after').fill('30');
  await lifecycle.getByRole('button', { name: 'Save lifecycle' }).click();
  await expect(lifecycle.getByRole('alert')).toContainText('lapsed more days than at risk');
  await lifecycle.getByLabel('Lapsed after').fill('150');
  await lifecycle.getByRole('button', { name: 'Save lifecycle' }).click();
  await expect(lifecycle).toContainText('Saved the lifecycle thresholds.');
  expect((await apiJson(api, 'get', '/settings')).data).toMatchObject({ cartAbandonMinutes: 90, lifecycle: { lapsedDays: 150 } });
  await apiJson(api, 'put', '/settings/ltvTiers', { value: [{ name: 'bronze', min: 0 }, { name: 'silver', min: 200 }, { name: 'gold', min: 500 }, { name: 'platinum', min: 2000 }] });

  // a campaign made in the UI, for a segment picked from a list
  const name = `Repeat buyers 10% ${Date.now()}`;
  await page.goto('/campaigns');
  await page.getByRole('button', { name: 'New campaign' }).click();
  await page.getByLabel('Name', { exact: true }).fill(name);
  await page.getByLabel('Audience segment').selectOption('repeat_buyers');
  await page.getByRole('button', { name: 'Create campaign' }).click();
  await expect(page.getByText(`Created “${name}” (inactive)`)).toBeVisible();
  await expect(page.getByTestId('campaign-row').filter({ hasText: name })).toBeVisible();
  const created = (await apiJson(api, 'get', '/campaigns')).data.find((c: { name: string }) => c.name === name);
  expect(created).toMatchObject({ kind: 'percent_off', audience: { segment: 'repeat_buyers' } });
});

test('10. an unknown page says so; a disabled person is told so at sign-in; role changes and disabling ask first and confirm after', async ({ page, browser, baseURL }) => {
  test.setTimeout(120_000);
  await login(page, undefined, '/no-such-page');
  await page.goto('/no-such-page/at/all');
  await expect(page.getByRole('heading', { name: 'Page not found' })).toBeVisible();
  await expect(page.getByRole('alert')).toContainText('There is no page at /no-such-page/at/all');
  await page.getByRole('link', { name: 'Go to Workflows' }).click();
  await expect(page).toHaveURL(/\/workflows$/);

  const person = { email: `person-${Date.now()}@e2e.local`, password: 'person-password-123' };
  await apiJson(api, 'post', '/users', { ...person, role: 'viewer' });
  await page.goto('/users');
  const row = page.getByTestId('user-row').filter({ hasText: person.email });
  await row.getByLabel(`Role of ${person.email}`).selectOption('editor');
  const dialog = page.getByRole('dialog');
  await expect(dialog).toContainText(`Change ${person.email} from viewer to editor?`);
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await expect(row.getByLabel(`Role of ${person.email}`)).toHaveValue('viewer');
  await row.getByLabel(`Role of ${person.email}`).selectOption('editor');
  await dialog.getByRole('button', { name: 'Yes, make them editor' }).click();
  await expect(page.getByRole('status')).toContainText(`${person.email} is now editor.`);
  await row.getByRole('button', { name: 'Disable' }).click();
  await expect(dialog).toContainText(`Disable ${person.email}?`);
  await dialog.getByRole('button', { name: 'Yes, disable' }).click();
  await expect(page.getByRole('status')).toContainText(`${person.email} is disabled and has been signed out.`);
  await expect(row).toContainText('Disabled');

  const otherContext = await browser.newContext({ baseURL });
  const other = await otherContext.newPage();
  await other.goto('/login');
  await other.getByLabel('Email').fill(person.email);
  await other.getByLabel('Password').fill(person.password);
  await other.getByRole('button', { name: 'Sign in' }).click();
  await expect(other.getByRole('alert')).toContainText(`This account is disabled; ask an admin (${E2E_ADMIN.email}`);
  await expect(other.getByRole('alert')).toContainText('to enable it.');
  await other.getByLabel('Password').fill('not-the-password-1');
  await other.getByRole('button', { name: 'Sign in' }).click();
  await expect(other.getByRole('alert')).toHaveText('Wrong email or password.');
  await otherContext.close();
});

test('10. the canvas says why a connection is refused, finds steps by synonyms, and lists its shortcuts on "?"', async ({ page }) => {
  const wf = await apiJson<{ id: string }>(api, 'post', '/workflows', {
    name: `Feedback canvas ${Date.now()}`,
    graph: {
      nodes: [
        { id: 'trigger', type: 'trigger', config: { eventType: 'order.paid' }, position: { x: 0, y: 0 } },
        { id: 'wait', type: 'delay', config: { seconds: 3600 }, position: { x: 360, y: 0 } },
      ],
      edges: [],
    },
  });
  await login(page, undefined, `/workflows/${wf.id}`);
  await page.goto(`/workflows/${wf.id}`);
  const canvas = new CanvasPage(page);
  await expect(canvas.node('wait')).toBeVisible();
  await canvas.dragOutputOnto('wait', 'out', 'trigger');
  await expect(page.getByTestId('connection-refused')).toHaveText('Not connected: a trigger cannot have incoming connections');
  await expect(page.locator('.react-flow__edge')).toHaveCount(0);

  const search = page.getByLabel('Search steps');
  for (const [words, type] of [['if', 'condition'], ['loop', 'for_each'], ['notify', 'webhook'], ['notify', 'email'], ['email', 'webhook']] as const) {
    await search.fill(words);
    await expect(page.getByTestId(`palette-${type}`)).toBeVisible();
  }
  await search.fill('');

  await canvas.node('wait').locator('.wf-node-title').click();
  await page.keyboard.press('Shift+?');
  const sheet = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
  await expect(sheet).toContainText('Tidy the layout');
  await expect(sheet).toContainText('Ctrl/⌘ + Z');
  await page.keyboard.press('Escape');
  await expect(sheet).toHaveCount(0);
});

test('11. the test inbox shows the raw body as received, with a copy button', async ({ page, context }) => {
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  const inbox = await apiJson<{ id: string }>(api, 'post', '/inboxes', { name: `Raw body ${Date.now()}`, eventTypes: ['discount.applied'] });
  await apiJson(api, 'post', '/events', { type: 'discount.applied', data: { code: 'RAW10', customerId: `cus_raw_${Date.now()}`, amount: 3 } });
  const received = async () => (await apiJson(api, 'get', `/inboxes/${inbox.id}/messages`)).data[0]?.body as string | undefined;
  await expect.poll(received, { timeout: 20_000 }).toBeTruthy();
  const body = (await received())!;

  await login(page, undefined, `/inbox?id=${inbox.id}`);
  await page.goto(`/inbox?id=${inbox.id}`);
  await page.getByTestId('inbox-message').first().click();
  await expect(page.getByTestId('raw-body')).toHaveText(body);
  await page.getByRole('button', { name: 'Copy raw body' }).click();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(body);
});
