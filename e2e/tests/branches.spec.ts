import path from 'node:path';
import { expect, test, type APIRequestContext } from '@playwright/test';
import { CanvasPage } from '../support/canvas-page.ts';
import { apiClient, apiJson, RunDetail, startReceiver, type Receiver } from '../support/console-pages.ts';
import { login } from '../support/login.ts';

/**
 * Issue 26 item 4: "notify the supplier and pause BOGO" from one output. A person connects
 * the trigger's output to a second step on the canvas, sees the branches numbered, tests
 * and publishes; a refund then runs both branches on their own: the pause goes out while
 * the supplier's endpoint is down, the supplier branch fails on its own, and retrying
 * re-runs only that branch.
 */
let api: APIRequestContext;
let supplier: Receiver;
let shop: Receiver;
test.use({ viewport: { width: 1500, height: 950 } });
test.beforeAll(async ({ baseURL }) => {
  api = await apiClient(baseURL!);
  supplier = await startReceiver(500);
  shop = await startReceiver(200);
});
test.afterAll(async () => {
  await api?.dispose();
  await supplier?.close();
  await shop?.close();
});

test('one output connected to two steps runs two branches, shown in the test run and the run view; retry re-runs the failed branch only', async ({ page }) => {
  const key = `e2e-branches-${Date.now()}`;
  const supplierEp = await apiJson<{ id: string }>(api, 'post', '/endpoints', { url: supplier.url, eventTypes: [], description: 'Supplier' });
  const shopEp = await apiJson<{ id: string }>(api, 'post', '/endpoints', { url: shop.url, eventTypes: [], description: 'Shop' });
  const workflow = await apiJson<{ id: string }>(api, 'post', '/workflows', {
    name: 'Notify the supplier and pause BOGO',
    graph: {
      nodes: [
        // only this test's refunds (their reason is the test's key)
        { id: 'trigger', type: 'trigger', config: { eventType: 'order.refunded', filter: { '==': [{ var: 'data.reason' }, key] } }, position: { x: 0, y: 120 } },
        { id: 'notify', type: 'webhook', label: 'Notify the supplier', config: { endpointId: supplierEp.id }, position: { x: 380, y: 0 } },
        { id: 'pause_bogo', type: 'webhook', label: 'Pause BOGO', config: { endpointId: shopEp.id }, position: { x: 380, y: 260 } },
      ],
      edges: [{ id: 'e1', source: 'trigger', target: 'notify', sourceHandle: 'out' }],
    },
  });

  await login(page, undefined, `/workflows/${workflow.id}`);
  const canvas = new CanvasPage(page);
  await expect(canvas.node('pause_bogo')).toBeVisible();
  // The trigger's output already leads to the supplier step: a second connection from it is a fork.
  await canvas.connect('trigger', 'out', 'pause_bogo');
  await expect(canvas.edge('trigger', 'out', 'pause_bogo')).toBeAttached();
  await expect(page.locator('.react-flow__edge[data-id="e1"]')).toContainText('branch 1');
  await expect(canvas.edge('trigger', 'out', 'pause_bogo')).toContainText('branch 2');
  await canvas.expectSaved();
  await expect(canvas.problems).toHaveCount(0);
  // The inspector lists the trigger's branches in the same order.
  await canvas.select('trigger');
  await expect(canvas.field('Next step (branch 1)')).toHaveValue('notify');
  await expect(canvas.field('Next step (branch 2)')).toHaveValue('pause_bogo');

  // The test run shows each branch's steps, labelled, in canvas order.
  await canvas.tab('Test run').click();
  await page.getByLabel(/Event data/).fill(JSON.stringify({ orderId: 'o-dry', customerId: 'cus_dry', amount: 5, reason: key }));
  await page.getByRole('button', { name: 'Run test' }).click();
  const result = page.getByTestId('test-result');
  await expect(result).toContainText('succeeded');
  await expect(result.getByTestId('test-step-branch')).toHaveText(['branch 1', 'branch 2']);

  await canvas.publish(1);

  // A refund: the supplier is down, the shop is up.
  const customerId = `cus_branches_${Date.now()}`;
  await apiJson(api, 'post', '/events', { type: 'order.refunded', data: { orderId: `o-${customerId}`, customerId, amount: 5, reason: key } });
  let runId: string | undefined;
  await expect(async () => {
    const runs = await apiJson<{ data: { id: string }[] }>(api, 'get', `/runs?workflowId=${workflow.id}`);
    runId = runs.data[0]?.id;
    expect(runId).toBeDefined();
  }).toPass({ timeout: 30_000 });

  await page.goto(`/runs/${runId}`);
  const run = new RunDetail(page);
  const branches = page.getByTestId('run-branches');
  // The pause went out while the supplier's delivery retried; then the supplier branch failed on its own.
  await expect(branches.getByTestId('branch-2')).toContainText('Pause BOGO');
  await expect(branches.getByTestId('branch-2').locator('[data-status]')).toHaveAttribute('data-status', 'succeeded', { timeout: 20_000 });
  await run.expectStatus('failed');
  const failed = branches.getByTestId('branch-1');
  await expect(failed.locator('[data-status]')).toHaveAttribute('data-status', 'failed');
  await expect(failed).toContainText('failed at “Notify the supplier”');
  await expect(failed.locator('.step-error')).toContainText('notify: delivery failed');
  expect(shop.received).toBe(1);
  if (process.env.TRIPLINE_SCREENSHOTS) {
    // `TRIPLINE_SCREENSHOTS=docs/screenshots npx playwright test e2e/tests/branches.spec.ts` refreshes the docs image
    await branches.scrollIntoViewIfNeeded();
    await page.screenshot({ path: path.join(process.env.TRIPLINE_SCREENSHOTS, 'run-branches.png') });
  }
  // Steps grouped by branch.
  await expect(page.getByTestId('steps-trunk').getByTestId('step-trigger')).toBeVisible();
  await expect(page.getByTestId('steps-branch-1').getByTestId('step-notify')).toContainText('branch 1');
  await expect(page.getByTestId('steps-branch-2').getByTestId('step-pause_bogo')).toContainText('branch 2');

  // The supplier is back: retry names the branch and re-runs only it.
  supplier.status = 200;
  await page.getByRole('button', { name: 'Retry branch 1 from “Notify the supplier” as it ran (v1)' }).click();
  await run.expectStatus('succeeded');
  await expect(failed.locator('[data-status]')).toHaveAttribute('data-status', 'succeeded');
  await expect(page.getByTestId('steps-branch-1').getByTestId('step-notify')).toContainText('2 attempts');
  await expect(page.getByTestId('steps-branch-2').getByTestId('step-pause_bogo')).toContainText('1 attempt');
  expect(shop.received).toBe(1);

  // switched off after: its refunds are this test's own, but other specs need not meet it
  await apiJson(api, 'post', `/workflows/${workflow.id}/disable`, {});
});
