import { expect, test, type APIRequestContext } from '@playwright/test';
import { apiClient, apiJson, Catalog, EndpointDetail, EventLog, RunDetail, RunsExplorer, startReceiver, TestInbox, type Receiver } from '../support/console-pages.ts';
import { login } from '../support/login.ts';

let api: APIRequestContext;
let receiver: Receiver;

test.beforeAll(async ({ baseURL }) => {
  api = await apiClient(baseURL!);
});
test.afterAll(async () => {
  await api?.dispose();
});
test.afterEach(async () => {
  await receiver?.close();
});

async function eventually<T>(what: string, fn: () => Promise<T | undefined>): Promise<T> {
  const end = Date.now() + 30_000;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

test('an operator finds a failed run and retries it from the failed step', async ({ page }) => {
  receiver = await startReceiver(500);
  const subject = `cus_e2e_${Date.now()}`;
  const endpoint = await apiJson(api, 'post', '/endpoints', { url: receiver.url, description: 'Support desk (down)', eventTypes: [] });
  const workflow = await apiJson(api, 'post', '/workflows', {
    name: 'Tell the support desk about refunds',
    graph: {
      nodes: [
        { id: 'trigger', type: 'trigger', config: { eventType: 'order.refunded' }, position: { x: 0, y: 0 } },
        { id: 'notify', type: 'webhook', config: { endpointId: endpoint.id }, position: { x: 0, y: 140 } },
      ],
      edges: [{ id: 'e1', source: 'trigger', target: 'notify' }],
    },
  });
  await apiJson(api, 'post', `/workflows/${workflow.id}/publish`, {});
  await apiJson(api, 'post', '/events', { type: 'order.refunded', data: { orderId: 'o-e2e-1', customerId: subject, amount: 12.5 } });
  await eventually('the run to fail', async () => {
    const page = await apiJson(api, 'get', `/runs?subject=${subject}&status=failed`);
    return page.data[0];
  });

  await login(page, undefined, '/runs');
  const runs = new RunsExplorer(page);
  await runs.goto();
  await runs.filterStatus('failed');
  await runs.filterSubject(subject);
  await expect(runs.rows()).toHaveCount(1);
  await expect(runs.rows().first()).toHaveAttribute('data-status', 'failed');
  await runs.openFirst();

  const run = new RunDetail(page);
  await run.expectStatus('failed');
  await expect(run.canvasNode('notify')).toHaveAttribute('data-status', 'failed');
  await expect(page.getByTestId('step-notify')).toContainText('delivery failed');

  receiver.status = 200;
  await run.retry();
  // Live: the page follows the run without a reload.
  await run.expectStatus('succeeded');
  await expect(run.canvasNode('notify')).toHaveAttribute('data-status', 'succeeded');
});

test('an integration developer replays a failed delivery', async ({ page }) => {
  receiver = await startReceiver(500);
  const endpoint = await apiJson(api, 'post', '/endpoints', { url: receiver.url, description: 'Analytics warehouse', eventTypes: ['order.paid'] });
  await apiJson(api, 'post', '/events', {
    type: 'order.paid',
    data: { orderId: `o-replay-${Date.now()}`, customerId: 'cus_replay', status: 'paid', total: 30, currency: 'EUR', items: [{ sku: 'MUG', quantity: 1, price: 30 }] },
  });
  await eventually('the delivery to fail for good', async () => {
    const page = await apiJson(api, 'get', `/endpoints/${endpoint.id}/deliveries?status=failed`);
    return page.data[0];
  });

  await login(page, undefined, `/endpoints/${endpoint.id}`);
  const detail = new EndpointDetail(page);
  await detail.goto(endpoint.id);
  await detail.filterDeliveries('failed');
  await expect(detail.deliveryRows()).toHaveCount(1);
  await detail.openFirstDelivery();
  await detail.expectPanelStatus('failed');
  await expect(detail.panel().getByTestId('attempt').first()).toContainText('HTTP 500');
  await expect(detail.panel().getByLabel('Response body').first()).toContainText('receiver is down');

  receiver.status = 200;
  await detail.replay();
  await detail.expectPanelStatus('succeeded');
  await expect(detail.panel().getByTestId('attempt').first()).toContainText('HTTP 200');
});

test('a newcomer sends a test event from the catalog, sees it in the event log and in a test inbox with a verified signature', async ({ page }) => {
  await login(page, undefined, '/inbox');
  const inbox = new TestInbox(page);
  await inbox.goto();
  await inbox.create('Catalog check', 'order.created');

  const catalog = new Catalog(page);
  await catalog.goto();
  await catalog.open('order.created');
  await expect(page.getByLabel('Node verification example')).toContainText("from 'standardwebhooks'");
  const eventId = await catalog.sendTestEvent();

  await catalog.openEventLog();
  const log = new EventLog(page);
  await expect(log.row(eventId)).toBeVisible();
  await log.row(eventId).getByRole('link', { name: 'order.created' }).click();
  await expect(page.locator('header.page-header')).toContainText(eventId);
  await expect(page.getByRole('region', { name: 'Deliveries' })).toContainText('/api/v1/inbox/');

  await inbox.goto();
  await expect(inbox.messages().first()).toHaveAttribute('data-verified', 'true', { timeout: 20_000 });
  await expect(inbox.messages().first()).toContainText('order.created');
});

test('a viewer can look at everything but is offered no button that changes anything', async ({ page }) => {
  const viewer = { email: `viewer-${Date.now()}@e2e.local`, password: 'viewer-password-123' };
  await apiJson(api, 'post', '/users', { ...viewer, role: 'viewer' });
  await login(page, viewer, '/settings');

  await page.goto('/settings');
  await expect(page.getByRole('switch', { name: 'Store simulator' })).toBeDisabled();
  await expect(page.getByLabel('Retention days')).toBeDisabled();
  await expect(page.getByRole('button', { name: 'Prune now' })).toHaveCount(0);

  await page.goto('/endpoints');
  await expect(page.getByRole('heading', { name: 'Endpoints', exact: true })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Add endpoint' })).toHaveCount(0);

  await page.goto('/inbox');
  await expect(page.getByRole('heading', { name: 'Test inbox', exact: true })).toBeVisible();
  await expect(page.getByRole('form', { name: 'Create a test inbox' })).toHaveCount(0);

  await page.goto('/catalog/order.created');
  await expect(page.getByLabel('JSON Schema')).toBeVisible();
  await expect(page.getByRole('button', { name: 'Send test event' })).toHaveCount(0);
});
