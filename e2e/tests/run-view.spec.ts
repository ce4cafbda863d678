import path from 'node:path';
import { expect, test, type APIRequestContext } from '@playwright/test';
import { apiClient, apiJson, RunDetail } from '../support/console-pages.ts';
import { login } from '../support/login.ts';

/** Issue #15 item 1 and #16 point 10: the run graph is the editor's nodes and layout, read-only, with the path taken. */
let api: APIRequestContext;
test.use({ viewport: { width: 1500, height: 950 } });
test.beforeAll(async ({ baseURL }) => {
  api = await apiClient(baseURL!);
});
test.afterAll(async () => api?.dispose());

test('an operator opens a run and sees the steps as the editor draws them, left to right, with the branch it took', async ({ page }) => {
  const subject = `cus_run_view_${Date.now()}`;
  const workflow = await apiJson<{ id: string }>(api, 'post', '/workflows', {
    name: 'Big orders get a VIP tag',
    graph: {
      // placed top-down, as seeded graphs are: the run view lays it out left to right
      nodes: [
        { id: 'trigger', type: 'trigger', config: { eventType: 'order.paid' }, position: { x: 0, y: 0 } },
        { id: 'is_big', type: 'condition', label: 'Big order?', config: { rule: { '>': [{ var: 'data.total' }, 100] } }, position: { x: 0, y: 140 } },
        { id: 'tag_vip', type: 'transform', label: 'Tag as VIP', config: { fields: { tag: 'vip' } }, position: { x: -150, y: 280 } },
        { id: 'done', type: 'stop', label: 'Small order', config: { reason: 'not big' }, position: { x: 150, y: 280 } },
      ],
      edges: [
        { id: 'e1', source: 'trigger', target: 'is_big' },
        { id: 'e2', source: 'is_big', sourceHandle: 'true', target: 'tag_vip' },
        { id: 'e3', source: 'is_big', sourceHandle: 'false', target: 'done' },
      ],
    },
  });
  await apiJson(api, 'post', `/workflows/${workflow.id}/publish`, {});
  await apiJson(api, 'post', '/events', {
    type: 'order.paid',
    data: { orderId: `o-${subject}`, customerId: subject, status: 'paid', total: 30, currency: 'EUR', items: [{ sku: 'MUG', quantity: 1, price: 30 }] },
  });
  let runId: string | undefined;
  await expect(async () => {
    const runs = await apiJson<{ data: { id: string; status: string }[] }>(api, 'get', `/runs?workflowId=${workflow.id}`);
    expect(runs.data[0]?.status).toBe('succeeded');
    runId = runs.data[0]!.id;
  }).toPass({ timeout: 30_000 });

  await login(page, undefined, `/runs/${runId}`);
  const run = new RunDetail(page);
  await run.expectStatus('succeeded');
  const canvas = page.getByTestId('run-canvas');

  // the editor's node: its name, its kind, its summary and both outputs of the condition
  const condition = run.canvasNode('is_big');
  await expect(condition).toContainText('Big order?');
  await expect(condition).toContainText('Condition');
  await expect(condition).toContainText('Total > 100');
  await expect(condition.getByTestId('output-true')).toBeVisible();
  await expect(condition.getByTestId('output-false')).toBeVisible();

  // the branch taken: false, to "Small order"; the true branch's step never ran
  await expect(condition).toHaveAttribute('data-status', 'succeeded');
  await expect(condition.getByTestId('output-false')).toHaveAttribute('data-taken', 'true');
  await expect(condition.getByTestId('output-true')).not.toHaveAttribute('data-taken', 'true');
  await expect(run.canvasNode('done')).toHaveAttribute('data-status', 'succeeded');
  await expect(run.canvasNode('done')).toContainText('Small order');
  await expect(run.canvasNode('tag_vip')).toHaveAttribute('data-status', 'not reached');
  await expect(canvas.locator('.react-flow__edge.on-path')).toHaveCount(2);
  await expect(canvas.locator('.react-flow__edge[data-id="e2"]')).toHaveClass(/off-path/);

  // left to right: each step to the right of the one before it
  const x = async (id: string) => (await run.canvasNode(id).boundingBox())!.x;
  expect(await x('is_big')).toBeGreaterThan(await x('trigger'));
  expect(await x('done')).toBeGreaterThan(await x('is_big'));

  if (process.env.TRIPLINE_SCREENSHOTS) {
    // `TRIPLINE_SCREENSHOTS=docs/screenshots npx playwright test e2e/tests/run-view.spec.ts` refreshes the README image
    await canvas.scrollIntoViewIfNeeded();
    await canvas.screenshot({ path: path.join(process.env.TRIPLINE_SCREENSHOTS, 'run-view.png') });
  }

  // read-only, and a click on a step shows only its records
  await expect(canvas.locator('.react-flow__node.draggable')).toHaveCount(0);
  await run.canvasNode('done').click();
  await expect(page.getByTestId('step-done')).toBeVisible();
  await expect(page.getByTestId('step-is_big')).toHaveCount(0);
});
