import { expect, test, type APIRequestContext } from '@playwright/test';
import { CanvasPage } from '../support/canvas-page.ts';
import { apiClient, apiJson } from '../support/console-pages.ts';
import { login } from '../support/login.ts';

/**
 * Issue 26, points 3 and 5: data is visible and pickable. Template fields offer the values a
 * step can read as `{{` is typed, a test run shows each step's input and output by name (a
 * webhook that was not sent says "would send"), the results stay in a clicked step, a test
 * can use a recent real event and simulate a wait's awaited event; and the stock trap warns.
 */
let api: APIRequestContext;
let endpointId: string;
test.use({ viewport: { width: 1600, height: 950 } });
test.beforeAll(async ({ baseURL }) => {
  api = await apiClient(baseURL!);
  endpointId = (await apiJson<{ id: string }>(api, 'post', '/endpoints', { url: 'http://127.0.0.1:9/never-called', description: 'Supplier', eventTypes: [] })).id;
});
test.afterAll(async () => api?.dispose());
test.beforeEach(async ({ page }) => {
  // a shared, busy machine: these walk through the editor step by step
  test.slow();
  await login(page, undefined, '/workflows');
  await page.evaluate(() => localStorage.clear());
});

const at = (x: number) => ({ x, y: 0 });

test('typing {{ in a template field offers the event fields and what earlier steps saved; the {x} picker inserts one', async ({ page }) => {
  const canvas = new CanvasPage(page);
  const wf = await apiJson<{ id: string }>(api, 'post', '/workflows', {
    name: 'Pick data',
    graph: {
      nodes: [
        { id: 'trigger', type: 'trigger', config: { eventType: 'order.paid' }, position: at(0) },
        { id: 'buyer', type: 'lookup', config: { entity: 'customer', key: '{{data.customerId}}', saveAs: 'buyer' }, position: at(300) },
        { id: 'call', type: 'http_request', config: { method: 'POST', url: 'https://crm.example/', saveAs: 'crm' }, position: at(600) },
      ],
      edges: [
        { id: 'e1', source: 'trigger', sourceHandle: 'out', target: 'buyer' },
        { id: 'e2', source: 'buyer', sourceHandle: 'out', target: 'call' },
      ],
    },
  });
  await page.goto(`/workflows/${wf.id}`);
  await canvas.select('call');
  const url = canvas.field(/^URL/);
  await url.click();
  await url.press('End');
  await url.pressSequentially('orders/{{data.ord');
  const list = page.getByRole('listbox', { name: 'Variables' });
  await expect(list.getByRole('option').first()).toContainText('data.orderId');
  await url.press('Enter');
  await expect(url).toHaveValue('https://crm.example/orders/{{data.orderId}}');

  // the body is a multi-line editor; the picker lists the lookup's fields by their path
  const body = canvas.field(/^Body/);
  expect(await body.evaluate((el) => el.tagName)).toBe('TEXTAREA');
  await body.fill('{\n  "tier": ');
  await body.press('End');
  await page.locator('.inspector').getByRole('button', { name: 'Insert a variable' }).last().click();
  const picker = page.getByRole('dialog', { name: 'Variables this step can use' });
  await picker.getByLabel('Filter variables').fill('ltvTier');
  await expect(picker.getByRole('button', { name: /vars\.buyer\.ltvTier/ })).toBeVisible();
  await picker.getByRole('button', { name: /vars\.buyer\.ltvTier/ }).click();
  await expect(body).toHaveValue('{\n  "tier": {{vars.buyer.ltvTier}}');
  await canvas.expectSaved();
  const saved = await apiJson<{ graph: { nodes: { id: string; config: Record<string, unknown> }[] } }>(api, 'get', `/workflows/${wf.id}`);
  expect(saved.graph.nodes.find((n) => n.id === 'call')!.config).toMatchObject({ url: 'https://crm.example/orders/{{data.orderId}}', body: '{\n  "tier": {{vars.buyer.ltvTier}}' });
});

test('a test run lists each step by name with its input and output, a webhook reads "would send", and a clicked step keeps its results', async ({ page }) => {
  const canvas = new CanvasPage(page);
  const wf = await apiJson<{ id: string }>(api, 'post', '/workflows', {
    name: 'Tell the supplier',
    graph: {
      nodes: [
        { id: 'trigger', type: 'trigger', config: { eventType: 'order.paid' }, position: at(0) },
        { id: 'fields', type: 'transform', config: { fields: { order: '{{data.orderId}}' } }, position: at(300), label: 'Keep the order id' },
        { id: 'tell', type: 'webhook', config: { endpointId }, position: at(600), label: 'Tell the supplier' },
      ],
      edges: [
        { id: 'e1', source: 'trigger', sourceHandle: 'out', target: 'fields' },
        { id: 'e2', source: 'fields', sourceHandle: 'out', target: 'tell' },
      ],
    },
  });
  await page.goto(`/workflows/${wf.id}`);
  await canvas.tab('Test run').click();
  await page.getByRole('button', { name: 'Run test' }).click();
  const result = page.getByTestId('test-result');
  await expect(result).toBeVisible();
  const tell = result.getByTestId('step-result-tell');
  await expect(tell.getByTestId('step-outcome')).toHaveText('would send');
  await expect(result).toContainText('Tell the supplier');
  // its input: what the step before saved, as name and value
  await expect(tell.getByRole('region', { name: 'Input' })).toContainText('order');
  await expect(tell.getByRole('region', { name: 'Input' })).toContainText('727');

  // clicking a step shows its own results beside its settings
  await canvas.select('fields');
  const last = page.getByRole('region', { name: 'Last test run of this step' });
  await expect(last.getByTestId('step-result-fields').getByRole('region', { name: 'Output' })).toContainText('727');
  await canvas.select('tell');
  await expect(last.getByTestId('step-outcome')).toHaveText('would send');
});

test('"Test with a recent event" fills the test with an event from the log', async ({ page }) => {
  const canvas = new CanvasPage(page);
  const sent = await api.post('/api/v1/events', { data: { type: 'order.paid', data: { orderId: 'ord_recent_77', customerId: 'cus_recent', status: 'paid', total: 77, currency: 'EUR', items: [] } } });
  expect(sent.status()).toBe(202);
  const wf = await apiJson<{ id: string }>(api, 'post', '/workflows', {
    name: 'Recent event',
    graph: { nodes: [{ id: 'trigger', type: 'trigger', config: { eventType: 'order.paid' }, position: at(0) }, { id: 'stop', type: 'stop', config: {}, position: at(300) }], edges: [{ id: 'e1', source: 'trigger', sourceHandle: 'out', target: 'stop' }] },
  });
  await page.goto(`/workflows/${wf.id}`);
  await canvas.tab('Test run').click();
  await page.getByRole('button', { name: 'Test with a recent event' }).click();
  const recent = page.getByRole('combobox', { name: 'Recent events' });
  await expect(recent.locator('option', { hasText: 'cus_recent' })).toHaveCount(1);
  await recent.selectOption({ label: (await recent.locator('option', { hasText: 'cus_recent' }).textContent())! });
  await expect(page.locator('.test-run textarea')).toHaveValue(/ord_recent_77/);
  await page.getByRole('button', { name: 'Run test' }).click();
  await expect(page.getByTestId('test-result')).toContainText('succeeded');
});

test("a dry run can simulate a wait's awaited event and follow its received branch", async ({ page }) => {
  const canvas = new CanvasPage(page);
  const wf = await apiJson<{ id: string }>(api, 'post', '/workflows', {
    name: 'Wait for payment',
    graph: {
      nodes: [
        { id: 'trigger', type: 'trigger', config: { eventType: 'order.created' }, position: at(0) },
        { id: 'wait', type: 'wait_for_event', config: { eventType: 'order.paid', timeoutSeconds: 3600 }, position: at(300) },
        { id: 'paid', type: 'stop', config: {}, position: { x: 600, y: -100 }, label: 'Paid in time' },
        { id: 'late', type: 'stop', config: {}, position: { x: 600, y: 100 }, label: 'Never paid' },
      ],
      edges: [
        { id: 'e1', source: 'trigger', sourceHandle: 'out', target: 'wait' },
        { id: 'e2', source: 'wait', sourceHandle: 'received', target: 'paid' },
        { id: 'e3', source: 'wait', sourceHandle: 'timeout', target: 'late' },
      ],
    },
  });
  await page.goto(`/workflows/${wf.id}`);
  await canvas.tab('Test run').click();
  await page.getByRole('button', { name: 'Run test' }).click();
  await expect(page.getByTestId('test-result')).toContainText('Never paid');
  await expect(canvas.node('late')).toHaveClass(/on-path/);

  await page.getByLabel('Simulate the awaited event (waits take their “received” branch)').check();
  await page.getByRole('button', { name: 'Run test' }).click();
  await expect(page.getByTestId('step-result-wait').getByTestId('step-outcome')).toHaveText('received (simulated)');
  await expect(canvas.node('paid')).toHaveClass(/on-path/);
  await expect(canvas.node('late')).not.toHaveClass(/on-path/);
});

test('the stock trap: a level rule on every stock change warns in the problems panel and the inspector, and still publishes', async ({ page }) => {
  const canvas = new CanvasPage(page);
  const wf = await apiJson<{ id: string }>(api, 'post', '/workflows', {
    name: 'Low stock',
    graph: {
      nodes: [
        { id: 'trigger', type: 'trigger', config: { eventType: 'product.stock_changed' }, position: at(0) },
        { id: 'low', type: 'condition', config: { rule: { '<': [{ var: 'data.quantity' }, 10] } }, position: at(300) },
        { id: 'tell', type: 'webhook', config: { endpointId }, position: at(600) },
      ],
      edges: [
        { id: 'e1', source: 'trigger', sourceHandle: 'out', target: 'low' },
        { id: 'e2', source: 'low', sourceHandle: 'true', target: 'tell' },
      ],
    },
  });
  await page.goto(`/workflows/${wf.id}`);
  const warnings = page.getByTestId('warnings');
  await expect(warnings).toContainText('1 warning (you can still publish)');
  await expect(warnings).toContainText('inventory.threshold_crossed');
  await canvas.select('low');
  await expect(page.getByTestId('inspector-warning')).toContainText('quantity < 10');
  await canvas.publish(1);
  await expect(page.getByText(/Warning \(low\):.*threshold_crossed/)).toBeVisible();

  // the event list reads as people say it, grouped as the catalog
  await canvas.select('trigger');
  const events = canvas.combobox(/^Event type/);
  await expect(events.locator('optgroup[label="Sent in by your store and tools"] option[value="order.paid"]')).toHaveText('Orders → Order paid');
  await events.selectOption('inventory.threshold_crossed');
  await expect(warnings).toHaveCount(0);
  // Its live version would fire on every later spec's stock change: switch it off.
  await apiJson(api, 'post', `/workflows/${wf.id}/disable`, {});
});

test('the condition builder names fields as people say them and offers the tiers as a dropdown; the step reads "New tier is Gold"', async ({ page }) => {
  const canvas = new CanvasPage(page);
  const wf = await apiJson<{ id: string }>(api, 'post', '/workflows', {
    name: 'Gold tier',
    graph: {
      nodes: [
        { id: 'trigger', type: 'trigger', config: { eventType: 'customer.ltv_tier_changed' }, position: at(0) },
        { id: 'is_gold', type: 'condition', config: { rule: { '==': [{ var: 'data.to' }, 'silver'] } }, position: at(300) },
      ],
      edges: [{ id: 'e1', source: 'trigger', sourceHandle: 'out', target: 'is_gold' }],
    },
  });
  await page.goto(`/workflows/${wf.id}`);
  await canvas.select('is_gold');
  const field = page.getByLabel('Rule 1 field', { exact: true });
  await expect(field.locator('option:checked')).toHaveText('New tier');
  const value = page.getByRole('combobox', { name: 'Rule 1 value', exact: true });
  // the tiers of the ltvTiers setting, by name
  await expect(value.locator('option')).toHaveText(['Bronze', 'Silver', 'Gold', 'Platinum']);
  await value.selectOption('gold');
  await expect(canvas.node('is_gold')).toContainText('New tier is Gold');
});
