import { expect, test, type APIRequestContext } from '@playwright/test';
import { apiClient, apiJson } from '../support/console-pages.ts';
import { login } from '../support/login.ts';

/** Issue #24 point 7: a support agent opens a customer from an event or a run and sees who they are. */
let api: APIRequestContext;
test.beforeAll(async ({ baseURL }) => {
  api = await apiClient(baseURL!);
});
test.afterAll(async () => api?.dispose());

test('an agent opens the customer from an event and from a run: tier, LTV, orders, and what happened to them', async ({ page }) => {
  const customerId = `cus_page_${Date.now()}`;
  const workflow = await apiJson<{ id: string }>(api, 'post', '/workflows', {
    name: 'Welcome to gold',
    graph: {
      nodes: [
        { id: 'trigger', type: 'trigger', config: { eventType: 'customer.ltv_tier_changed' } },
        { id: 'note', type: 'transform', config: { fields: { welcomed: 'yes' } } },
      ],
      edges: [{ id: 'e1', source: 'trigger', target: 'note' }],
    },
  });
  await apiJson(api, 'post', `/workflows/${workflow.id}/publish`, {});
  const sent = await apiJson<{ events: { id: string }[] }>(api, 'post', '/events', [
    { type: 'customer.created', data: { customerId, email: 'grace@example.com', name: 'Grace Hopper' } },
    { type: 'order.created', data: { orderId: `o-${customerId}`, customerId, status: 'paid', total: 640, currency: 'EUR', items: [{ sku: 'HOODIE', quantity: 8, price: 80 }] } },
  ]);
  const orderEventId = sent.events[1]!.id;
  let runId = '';
  await expect(async () => {
    const runs = await apiJson<{ data: { id: string; status: string }[] }>(api, 'get', `/runs?workflowId=${workflow.id}&subject=${customerId}`);
    expect(runs.data[0]?.status).toBe('succeeded');
    runId = runs.data[0]!.id;
  }).toPass({ timeout: 30_000 });

  // From the order event to the customer.
  await login(page, undefined, `/events/${orderEventId}`);
  await page.getByTestId('customer-link').click();
  await expect(page).toHaveURL(new RegExp(`/customers/${customerId}$`));
  await expect(page.getByRole('heading', { name: /Grace Hopper/ })).toBeVisible();
  await expect(page.getByTestId('customer-tier')).toHaveText('gold');
  await expect(page.getByTestId('customer-ltv')).toHaveText('640.00');
  await expect(page.getByTestId('customer-orders')).toHaveText('1');
  const events = page.getByRole('table', { name: 'Recent events' });
  await expect(events.getByRole('link', { name: 'order.created' })).toBeVisible();
  await expect(events.getByRole('link', { name: 'customer.ltv_tier_changed' })).toBeVisible();

  // Its runs link to the run, and the run links back to the customer.
  await page.getByRole('table', { name: 'Recent runs' }).getByRole('link', { name: 'Welcome to gold' }).click();
  await expect(page).toHaveURL(new RegExp(`/runs/${runId}$`));
  await page.getByTestId('customer-link').click();
  await expect(page.getByTestId('customer-tier')).toHaveText('gold');
});

test('a customer Tripline has never seen says so', async ({ page }) => {
  await login(page, undefined, '/customers/cus_never_seen');
  await expect(page.getByRole('alert')).toContainText('cus_never_seen');
});
